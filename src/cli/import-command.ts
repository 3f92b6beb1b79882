import { Command, InvalidArgumentError, Option } from 'commander';
import { ClientConfigError } from '../client/errors';
import { dryRunImport } from '../client/hcp-import/dry-run';
import { planImport } from '../client/hcp-import/plan';
import { runImport, type BucketSummary, type ImportResult } from '../client/hcp-import/run';
import { readSource } from '../client/hcp-import/source';
import { RegistryClient } from '../client/registry-client';
import { cliTokenStore, connect, withConnection, type RegistryFlags } from './connection-options';
import { EXIT, ExitError } from './exit-codes';
import { io } from './io';
import { emit, table } from './output';

interface ImportFlags extends RegistryFlags {
  sourceRegistry?: string;
  sourceOrganization: string;
  sourceProject: string;
  sourceCredentialsFile?: string;
  bucket?: string[];
  pageSize?: number;
  dryRun?: boolean;
}

const HCP_API = 'api.cloud.hashicorp.com';

function pageSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1000)
    throw new InvalidArgumentError('use a whole number from 1 to 1000.');
  return n;
}

/** The registry to read from: HCP Packer unless told otherwise. */
function sourceClient(flags: ImportFlags): RegistryClient {
  const env = io().env;
  try {
    return new RegistryClient(
      {
        registryUrl: flags.sourceRegistry,
        registryUrlSource: '--source-registry',
        organizationId: flags.sourceOrganization,
        projectId: flags.sourceProject,
        credentialsFile: flags.sourceCredentialsFile,
      },
      { pageSize: flags.pageSize ?? null, tokenStore: cliTokenStore() },
      {
        HCP_API_ADDRESS: HCP_API,
        HCP_CLIENT_ID: env.INGOT_SOURCE_CLIENT_ID,
        HCP_CLIENT_SECRET: env.INGOT_SOURCE_CLIENT_SECRET,
      },
    );
  } catch (error) {
    if (!(error instanceof ClientConfigError)) throw error;
    const problems = error.problems.map((p) =>
      p
        .replace(
          /HCP_CLIENT_ID \(or INGOT_CREDENTIALS_FILE\)/,
          'INGOT_SOURCE_CLIENT_ID, or --source-credentials-file',
        )
        .replace(
          /HCP_CLIENT_SECRET \(or INGOT_CREDENTIALS_FILE\)/,
          'INGOT_SOURCE_CLIENT_SECRET, or --source-credentials-file',
        ),
    );
    throw new Error(
      `the source registry cannot be reached as configured:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

const counted = (c: Record<string, number>) =>
  Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what === 'conflict' ? 'refused' : what}`)
    .join(', ') || 'none';

function summaryText(result: ImportResult, dryRun: boolean, where: string): string {
  const lines = [
    table(
      ['bucket', 'bucket', 'versions', 'channels', 'assignments', 'revoked', 'parent links'],
      result.buckets.map((b: BucketSummary) => [
        b.bucket,
        b.bucketOutcome === 'conflict' ? 'refused' : b.bucketOutcome,
        counted(b.versions),
        counted(b.channels),
        b.assignments,
        b.revoked,
        b.parentLinks,
      ]),
    ),
  ];
  if (result.problems.length) {
    lines.push(
      '',
      `${result.problems.length} record(s) ${dryRun ? 'would be' : 'were'} refused (nothing here was overwritten):`,
      ...result.problems.map((p) => `  ${p.bucket} ${p.item}: ${p.message}`),
    );
  }
  lines.push(
    '',
    dryRun
      ? `Dry run: nothing was written to ${where}. Run without --dry-run to import.`
      : `Imported into ${where}. Run it again to bring in what changed at the source since; what is here already is left alone.`,
  );
  return lines.join('\n');
}

/** One line that rewrites itself on a terminal; silent when stderr is not one. */
function progressLine() {
  const { stderr } = io();
  let shown = false;
  return {
    show(text: string) {
      if (!stderr.isTTY) return;
      stderr.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    clear() {
      if (shown) stderr.write('\r\u001b[2K');
      shown = false;
    },
  };
}

/** `ingot import hcp`: copies a project of HCP Packer (or another registry of its API) here. */
async function importHcp(flags: ImportFlags): Promise<void> {
  const source = sourceClient(flags);
  const target = connect(flags);
  if (!(await target.isIngot())) {
    throw new Error(
      `${target.connection.registryUrl} is not an Ingot registry; ingot import hcp writes to Ingot (--registry, or INGOT_REGISTRY_URL).`,
    );
  }
  const line = progressLine();
  try {
    const sources = await readSource(source, flags.bucket ?? [], (e) =>
      line.show(`Reading ${e.bucket}: ${e.step}${e.total ? ` ${e.done}/${e.total}` : ''}`),
    );
    const plan = planImport(sources);
    const result = flags.dryRun
      ? await dryRunImport(target, plan)
      : await runImport(target, plan, (e) =>
          line.show(`Importing ${e.done}/${e.total}: ${e.item}`),
        );
    line.clear();
    const { organizationId, projectId, registryUrl } = target.connection;
    const where = `organization "${organizationId}", project "${projectId}" of ${registryUrl}`;
    emit(
      flags,
      {
        dry_run: Boolean(flags.dryRun),
        source: {
          registry: source.connection.registryUrl,
          organization_id: source.connection.organizationId,
          project_id: source.connection.projectId,
        },
        buckets: result.buckets,
        problems: result.problems,
      },
      () => summaryText(result, Boolean(flags.dryRun), where),
    );
    if (result.problems.length && !flags.dryRun) {
      throw new ExitError(
        `${result.problems.length} record(s) were not imported; see above.`,
        EXIT.failure,
      );
    }
  } finally {
    line.clear();
  }
}

export function importCommand(): Command {
  const command = new Command('import').description(
    'Bring registry content here from elsewhere (HCP Packer).',
  );
  command.addCommand(
    withConnection(
      new Command('hcp')
        .description(
          'Copy buckets, versions, builds, channels with their history, revocations and ancestry from HCP Packer (or any registry of its API) into this Ingot registry. Idempotent: run it again to resume or to catch up.',
        )
        .addOption(
          new Option('--source-registry <url>', 'registry to read from').default(
            `https://${HCP_API}`,
            'HCP Packer',
          ),
        )
        .requiredOption('--source-organization <id>', 'organization to read from')
        .requiredOption('--source-project <id>', 'project to read from')
        .option(
          '--source-credentials-file <file>',
          'JSON with client_id and client_secret for the source (else env INGOT_SOURCE_CLIENT_ID, INGOT_SOURCE_CLIENT_SECRET)',
        )
        .option('--bucket <name...>', 'import only these buckets (default: all)')
        .addOption(
          new Option(
            '--page-size <n>',
            "items per page when reading (default: the source's)",
          ).argParser(pageSize),
        )
        .option('--dry-run', 'read both sides and print what would be imported; write nothing'),
    ).action(async (flags: ImportFlags) => importHcp(flags)),
  );
  return command;
}
