import { Command } from 'commander';
import type { ImageStore } from '../images/prune/image-store';
import { executePrune, planPrune, type PruneOutcome } from '../images/prune/prune-plan';
import { isoWeek } from '../images/build-epoch';
import { parseRunnerRelease, runnerVersionStatus } from '../images/runner-release';
import { parseDuration } from '../registry/duration';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { ExitError } from './exit-codes';
import { duration } from './flags';
import { io } from './io';
import { emit, table } from './output';

interface PruneFlags extends RegistryFlags {
  olderThan: string;
  bucket?: string[];
  yes?: boolean;
  cloud?: string[];
}

/**
 * `ingot images prune`: retention of cloud images. Dry run by default (a table of what
 * would go and why); `--yes` deregisters AMIs with their snapshots and deletes GCE
 * images. Failures (a region that denies access…) are reported and the rest proceed;
 * the exit status is 1 when any failed. The stores are injectable for tests.
 */
export function imagesCommand(
  stores: () => ImageStore[] | Promise<ImageStore[]> = cloudImageStores,
  now: () => Date = () => new Date(),
): Command {
  const images = new Command('images').description(
    'Golden image upkeep: retention and the runner pin.',
  );
  images.addCommand(
    new Command('epoch')
      .description(
        'Print the build epoch of a date: its ISO 8601 week (2026-W10), what the scheduled images workflow sets as INGOT_BUILD_EPOCH.',
      )
      .option('--date <yyyy-mm-dd>', 'the date (UTC) to take the week of (default: today)')
      .action((flags: { date?: string }) => {
        const date = flags.date ? new Date(`${flags.date}T00:00:00Z`) : now();
        if (flags.date && (!/^\d{4}-\d{2}-\d{2}$/.test(flags.date) || Number.isNaN(date.getTime())))
          throw new Error(`--date is "${flags.date}"; give a date as YYYY-MM-DD, e.g. 2026-03-02.`);
        io().stdout.write(`${isoWeek(date)}\n`);
      }),
  );
  images.addCommand(
    withConnection(
      new Command('prune')
        .description(
          'Remove the cloud images of versions that are revoked or older than --older-than, on no channel and used by no stack. Dry run unless --yes.',
        )
        .option(
          '--older-than <duration>',
          'age from which an unused version goes, e.g. 90d',
          duration,
          '90d',
        )
        .option('--bucket <name...>', 'only these buckets (default: all)')
        .option('--yes', 'delete (without it, only show what would go)'),
    ).action(async (flags: PruneFlags) => prune(flags, stores, now)),
  );
  images.addCommand(
    withConnection(
      new Command('runner-check')
        .description(
          "Check that the runner in the images a channel serves still gets jobs: not below GitHub's minimum, and updated within 30 days of each newer runner release. Exit 1 when not.",
        )
        .requiredOption('--channel <name>', 'channel whose images to check, e.g. prod')
        .option('--bucket <name...>', 'buckets to check', [
          'runner-ubuntu',
          'runner-windows',
          'runner-macos',
        ])
        .option(
          '--releases-file <file>',
          'saved GET /repos/actions/runner/releases response (default: ask GitHub)',
        ),
    ).action(
      async (flags: RegistryFlags & { channel: string; bucket: string[]; releasesFile?: string }) =>
        runnerCheck(flags, now),
    ),
  );
  return images;
}

/**
 * The cloud SDKs load only when a prune deletes: @google-cloud/compute alone takes
 * seconds to load, and every other command would pay for it at start.
 */
async function cloudImageStores(): Promise<ImageStore[]> {
  const [{ AwsImageStore }, { GcpImageStore }] = await Promise.all([
    import('../images/prune/aws-image-store'),
    import('../images/prune/gcp-image-store'),
  ]);
  return [new AwsImageStore(), new GcpImageStore()];
}

async function prune(
  flags: PruneFlags,
  stores: () => ImageStore[] | Promise<ImageStore[]>,
  now: () => Date,
): Promise<void> {
  const client = connect(flags);
  const olderThanMs = parseDuration('--older-than', flags.olderThan);
  const candidates = await planPrune(client, { olderThanMs, now: now(), buckets: flags.bucket });
  if (!flags.yes) {
    emit(flags, { dryRun: true, candidates }, () =>
      candidates.length === 0
        ? 'Nothing to prune.'
        : `${table(
            ['bucket', 'version', 'why', 'images'],
            candidates.map((c) => [
              c.bucket,
              `${c.versionName} ${c.fingerprint}`,
              c.reason,
              c.artifacts.map((a) => `${a.platform}:${a.region}:${a.externalIdentifier}`).join(' '),
            ]),
          )}\nDry run: nothing was deleted. Run again with --yes to delete these images.`,
    );
    return;
  }
  const outcomes = await executePrune(candidates, await stores());
  const failed = outcomes.filter((o) => o.error);
  emit(flags, { dryRun: false, outcomes: outcomes.map(plain) }, () =>
    outcomes.length === 0
      ? 'Nothing to prune.'
      : table(
          ['bucket', 'version', 'image', 'result'],
          outcomes.map((o) => [
            o.candidate.bucket,
            o.candidate.versionName,
            `${o.artifact.platform}:${o.artifact.region}:${o.artifact.externalIdentifier}`,
            o.error
              ? `FAILED: ${o.error}`
              : o.missing
                ? 'already gone'
                : `deleted ${o.deleted.join(', ')}`,
          ]),
        ),
  );
  if (failed.length)
    throw new ExitError(
      `${failed.length} of ${outcomes.length} image(s) could not be deleted (see the table); the others were. Fix the access and run again: deleted images are not tried twice.`,
      1,
    );
}

function plain(o: PruneOutcome) {
  return {
    bucket: o.candidate.bucket,
    fingerprint: o.candidate.fingerprint,
    ...o.artifact,
    deleted: o.deleted,
    missing: o.missing ?? false,
    error: o.error,
  };
}

async function runnerCheck(
  flags: RegistryFlags & { channel: string; bucket: string[]; releasesFile?: string },
  now: () => Date,
): Promise<void> {
  const client = connect(flags);
  const raw = flags.releasesFile
    ? JSON.parse(
        await import('node:fs').then((fs) => fs.readFileSync(flags.releasesFile as string, 'utf8')),
      )
    : await fetch('https://api.github.com/repos/actions/runner/releases?per_page=30', {
        headers: {
          accept: 'application/vnd.github+json',
          ...(process.env.GITHUB_TOKEN
            ? { authorization: `Bearer ${process.env.GITHUB_TOKEN}` }
            : {}),
        },
      }).then((r) => {
        if (!r.ok)
          throw new Error(
            `GitHub answered ${r.status} listing actions/runner releases; set GITHUB_TOKEN if rate limited.`,
          );
        return r.json();
      });
  const releases = (Array.isArray(raw) ? raw : [raw])
    .filter((r: { draft?: boolean; prerelease?: boolean }) => !r.draft && !r.prerelease)
    .map((r: unknown) => parseRunnerRelease(r));
  const rows: { bucket: string; version: string; runner: string; ok: boolean; note: string }[] = [];
  for (const bucket of flags.bucket) {
    const channel = await client.getChannel(bucket, flags.channel).catch(() => undefined);
    const version = channel?.version;
    if (!version) continue;
    const runner = version.builds
      .map((b) => b.labels?.runner_version)
      .find((v) => v && v !== 'none');
    if (!runner) continue;
    const status = runnerVersionStatus(runner, releases, now());
    rows.push({
      bucket,
      version: version.name,
      runner,
      ok: status.ok,
      note:
        status.reason ??
        (status.deadline ? `replace before ${status.deadline.slice(0, 10)}` : 'current'),
    });
  }
  emit(flags, { channel: flags.channel, images: rows }, () =>
    rows.length === 0
      ? `No runner image on channel ${flags.channel}.`
      : table(
          ['bucket', 'version', 'runner', 'status'],
          rows.map((r) => [
            r.bucket,
            r.version,
            r.runner,
            r.ok ? `ok (${r.note})` : `STALE: ${r.note}`,
          ]),
        ),
  );
  const stale = rows.filter((r) => !r.ok);
  if (stale.length)
    throw new ExitError(
      `the runner in ${stale.map((r) => r.bucket).join(', ')} on ${flags.channel} no longer gets jobs; run npm run images:bump-runner and rebuild.`,
      1,
    );
}
