import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import yaml from 'js-yaml';
import { discouragedOutdatedImages } from '../../src/policy/discouraged-outdated-images';
import { discouragedScheduledRevocationImages } from '../../src/policy/discouraged-scheduled-revocation-images';
import { ImageLookups } from '../../src/policy/image-lookup';
import { parsePolicyConfig, type SettingName } from '../../src/policy/policy-config';
import { prohibitedRevokedImages } from '../../src/policy/prohibited-revoked-images';
import { requiredTrackedImages } from '../../src/policy/required-tracked-images';

/**
 * Workflows cannot run here, so they are checked where they can be: against GitHub's
 * published workflow schema (action-validator), and for the rules this repository
 * holds itself to (pinned actions, least privilege, one update per stack at a time).
 */
const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, '.github/workflows');
const FILES = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  steps: Step[];
  strategy?: { matrix?: Record<string, unknown> };
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (file: string) => yaml.load(fs.readFileSync(path.join(DIR, file), 'utf8')) as Workflow;
const stepsOf = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

/** Whether a job changes a stack: `pulumi up`, or a refresh that is not preview-only. */
function updatesStack(job: Job): boolean {
  return job.steps.some(
    (s) =>
      (s.uses?.startsWith('pulumi/actions@') && s.with?.command === 'up') ||
      (s.run !== undefined && /pulumi (up|destroy)\b/.test(s.run)),
  );
}

describe('GitHub workflows', () => {
  it('has the five workflows of the delivery pipeline', () => {
    assert.deepEqual(FILES.sort(), [
      'ci.yml',
      'drift.yml',
      'image-retention.yml',
      'images.yml',
      'preview.yml',
      'promote.yml',
      'runner-bump.yml',
    ]);
  });

  for (const file of FILES) {
    describe(file, () => {
      it('is valid against the GitHub workflow schema', () => {
        const result = validateWorkflow(fs.readFileSync(path.join(DIR, file), 'utf8'));
        assert.deepEqual(result.errors, []);
      });

      it('pins every action to a version and grants least privilege', () => {
        const w = load(file);
        for (const step of stepsOf(w).filter((s) => s.uses)) {
          assert.match(
            step.uses as string,
            /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/,
            `${file}: ${step.uses}`,
          );
        }
        assert.ok(w.permissions, `${file} sets top-level permissions`);
        assert.equal(w.permissions?.contents, 'read');
        for (const [scope, level] of Object.entries(w.permissions ?? {})) {
          assert.ok(
            ['read', 'none'].includes(level) || ['id-token', 'pull-requests'].includes(scope),
            `${file}: ${scope}: ${level}`,
          );
        }
      });

      it('never lets two runs update one stack at once', () => {
        const w = load(file);
        for (const [id, job] of Object.entries(w.jobs)) {
          if (!updatesStack(job)) continue;
          assert.match(
            job.concurrency?.group ?? '',
            /^pulumi-(dev|staging|prod|\$\{\{ matrix\.stack \}\})$/,
            `${file}/${id}`,
          );
          assert.equal(
            job.concurrency?.['cancel-in-progress'],
            false,
            `${file}/${id} never cancels an update half-way`,
          );
        }
      });

      it('calls only scripts that exist and are executable', () => {
        for (const step of stepsOf(load(file))) {
          for (const script of step.run?.match(/scripts\/[\w.-]+/g) ?? []) {
            const stat = fs.statSync(path.join(ROOT, script));
            assert.ok(stat.mode & 0o100, `${script} is executable`);
          }
        }
      });
    });
  }

  it('ci runs the README test command, lint and type-check on every push and pull request', () => {
    const ci = load('ci.yml');
    assert.ok('push' in ci.on && 'pull_request' in ci.on);
    const runs = stepsOf(ci).map((s) => s.run);
    for (const command of ['npm ci', 'npm run lint', 'npm run typecheck', 'npm test'])
      assert.ok(runs.includes(command), command);
    assert.match(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), /npm ci && npm test/);
  });

  it('preview runs every stack with the policy pack and comments on the pull request, by OIDC', () => {
    const preview = load('preview.yml');
    assert.deepEqual(Object.keys(preview.on), ['pull_request']);
    const job = preview.jobs.preview;
    assert.deepEqual(job.strategy?.matrix?.stack, ['dev', 'staging', 'prod']);
    const pulumi = job.steps.find((s) => s.uses?.startsWith('pulumi/actions@'));
    assert.equal(pulumi?.with?.command, 'preview');
    assert.equal(pulumi?.with?.['comment-on-pr'], true);
    assert.equal(pulumi?.with?.policyPacks, 'src/policy');
    assert.equal(preview.permissions?.['id-token'], 'write');
    const text = fs.readFileSync(path.join(DIR, 'preview.yml'), 'utf8');
    assert.doesNotMatch(
      text,
      /AWS_SECRET_ACCESS_KEY|GOOGLE_CREDENTIALS/,
      'no long-lived cloud keys',
    );
  });

  it('the policy config the preview uses is valid for every policy of the pack', () => {
    const config = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'policy-config.json'), 'utf8'),
    ) as Record<string, unknown>;
    const lookups = new ImageLookups();
    const policies = [
      prohibitedRevokedImages(lookups),
      discouragedScheduledRevocationImages(lookups),
      requiredTrackedImages(lookups),
      discouragedOutdatedImages(lookups),
    ];
    assert.deepEqual(Object.keys(config).sort(), policies.map((p) => p.name).sort());
    for (const policy of policies) {
      const settings = Object.keys(policy.configSchema?.properties ?? {}) as SettingName[];
      assert.doesNotThrow(
        () => parsePolicyConfig(policy.name, config[policy.name], settings),
        policy.name,
      );
    }
    assert.equal(
      (config['prohibited-revoked-images'] as { enforcementLevel: string }).enforcementLevel,
      'mandatory',
    );
  });

  it('images runs weekly and on demand, then promotes dev to staging', () => {
    const images = load('images.yml');
    assert.ok('schedule' in images.on && 'workflow_dispatch' in images.on);
    const runs = stepsOf(images).map((s) => s.run ?? '');
    assert.ok(runs.some((r) => r.includes('scripts/promote.sh --from dev --to staging')));
  });

  it('promote runs hourly with a 24 h soak and rolls prod only when something moved', () => {
    const promote = load('promote.yml');
    assert.ok('schedule' in promote.on && 'workflow_dispatch' in promote.on);
    const steps = promote.jobs.promote.steps;
    assert.ok(
      steps.some((s) => s.run?.includes('scripts/promote.sh --from staging --to prod --soak 24h')),
    );
    const up = steps.find(
      (s) => s.uses?.startsWith('pulumi/actions@') && s.with?.command === 'up',
    ) as Step & { if?: string };
    assert.match(up.if ?? '', /promoted != ''/);
  });

  it('drift refreshes every stack daily and reports stacks on revoked images', () => {
    const drift = load('drift.yml');
    assert.ok('schedule' in drift.on);
    assert.ok(stepsOf(drift).some((s) => s.run?.includes('pulumi refresh --preview-only')));
    assert.ok(stepsOf(drift).some((s) => /ingot(\.js)? drift/.test(s.run ?? '')));
    assert.ok(
      stepsOf(drift).some((s) =>
        /ingot(\.js)? images runner-check --channel prod/.test(s.run ?? ''),
      ),
    );
  });

  it('keeps the runner pin current: daily bump with a pull request, weekly build warns', () => {
    const bump = load('runner-bump.yml');
    assert.ok('schedule' in bump.on);
    const steps = stepsOf(bump);
    assert.ok(steps.some((s) => s.run?.includes('npm run images:bump-runner -- --github-output')));
    assert.ok(steps.some((s) => s.uses?.startsWith('peter-evans/create-pull-request@')));
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    assert.match(scripts['images:bump-runner'], /scripts\/bump-runner\.ts/);
    const images = load('images.yml');
    assert.ok(
      stepsOf(images).some((s) =>
        /ingot(\.js)? images runner-check --channel dev/.test(s.run ?? ''),
      ),
    );
  });

  it('prunes old and revoked images weekly: the plan, then --yes', () => {
    const retention = load('image-retention.yml');
    assert.ok('schedule' in retention.on);
    const runs = stepsOf(retention).map((s) => s.run ?? '');
    assert.ok(runs.includes('node bin/ingot.js images prune --older-than 90d'));
    assert.ok(runs.includes('node bin/ingot.js images prune --older-than 90d --yes'));
  });

  it('the validator really rejects a broken workflow', () => {
    const broken = validateWorkflow(
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        wiht: {}\n',
    );
    assert.ok(broken.errors.length > 0);
  });
});
