import { Command, InvalidArgumentError } from 'commander';
import {
  PrincipalsClient,
  type PrincipalRecord,
  type PrincipalScope,
  type PrincipalWithSecret,
} from '../client/principals-client';
import { AuthService } from '../registry/auth/auth-service';
import type { Principal } from '../registry/auth/principal-store';
import { ANY, isRole, ROLES, type Role } from '../registry/auth/roles';
import { systemClock } from '../registry/clock';
import { openDatabase } from '../registry/storage/database';
import { migrate } from '../registry/storage/migrations';
import { connect } from './connection-options';
import { emit, table, time } from './output';

const SCOPE_ID = /^[A-Za-z0-9._-]{1,64}$/;
/**
 * The connection's organization/project when the principals' scope is wider than one
 * project: the principal routes take the scope from the command's flags, never from
 * HCP_ORGANIZATION_ID/HCP_PROJECT_ID, so the connection's own pair goes unused.
 */
const UNUSED_SCOPE = 'registry-wide';

interface PrincipalFlags {
  registry?: string;
  credentialsFile?: string;
  organization?: string;
  project?: string;
  database?: string;
  json?: boolean;
}

/** What the subcommands do, over the API or (`--database`) on the database itself. */
interface Principals {
  create(name: string, role: Role): Promise<PrincipalWithSecret>;
  list(): Promise<PrincipalRecord[]>;
  delete(clientId: string): Promise<void>;
  rotate(clientId: string): Promise<PrincipalWithSecret>;
  close(): Promise<void>;
}

function role(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError(`use one of ${ROLES.join(', ')}.`);
  return value;
}

function scopeId(value: string): string {
  if (value !== ANY && !SCOPE_ID.test(value)) {
    throw new InvalidArgumentError('use 1–64 letters, digits, ".", "_" or "-" (or * for all).');
  }
  return value;
}

function scopeOf(flags: PrincipalFlags): PrincipalScope {
  if (flags.project && flags.project !== ANY && (flags.organization ?? ANY) === ANY)
    throw new Error('--project needs --organization: a project belongs to one organization.');
  return { organizationId: flags.organization ?? ANY, projectId: flags.project ?? ANY };
}

function record(p: Principal): PrincipalRecord {
  return {
    client_id: p.clientId,
    name: p.name,
    created_at: p.createdAt,
    roles: p.roles.map((r) => ({
      organization_id: r.organizationId,
      project_id: r.projectId,
      role: r.role,
    })),
  };
}

async function overDatabase(url: string, scope: PrincipalScope): Promise<Principals> {
  const db = await openDatabase(url);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const auth = new AuthService(db, systemClock);
  const withSecret = ({
    principal,
    clientSecret,
  }: {
    principal: Principal;
    clientSecret: string;
  }) => ({
    principal: record(principal),
    client_secret: clientSecret,
  });
  const project = scope.organizationId !== ANY && scope.projectId !== ANY ? scope : undefined;
  return {
    create: async (name, r) =>
      withSecret(await auth.createPrincipal(name, [{ ...scope, role: r }])),
    list: async () =>
      (await auth.listPrincipals(project))
        .filter(
          (p) =>
            scope.organizationId === ANY ||
            p.roles.some((b) => b.organizationId === scope.organizationId),
        )
        .map(record),
    delete: (clientId) => auth.deletePrincipal(clientId, undefined, project),
    rotate: async (clientId) => withSecret(await auth.rotateSecret(clientId, undefined, project)),
    close: async () => {
      await auth.close();
      await db.close();
    },
  };
}

/** The API with the caller's credentials, or the database when `--database` names one. */
async function open(flags: PrincipalFlags): Promise<Principals> {
  const scope = scopeOf(flags);
  if (flags.database) return overDatabase(flags.database, scope);
  const concrete = (id: string) => (id === ANY ? UNUSED_SCOPE : id);
  const client = connect({
    registry: flags.registry,
    credentialsFile: flags.credentialsFile,
    organization: concrete(scope.organizationId),
    project: concrete(scope.projectId),
  });
  const api = new PrincipalsClient(client.transport, scope);
  return {
    create: (name, r) => api.create(name, r),
    list: () => api.list(),
    delete: (clientId) => api.delete(clientId),
    rotate: (clientId) => api.rotate(clientId),
    close: async () => undefined,
  };
}

async function run<T>(flags: PrincipalFlags, work: (p: Principals) => Promise<T>): Promise<T> {
  const principals = await open(flags);
  try {
    return await work(principals);
  } finally {
    await principals.close();
  }
}

function secretLines(what: string, created: PrincipalWithSecret): string {
  return [
    what,
    `HCP_CLIENT_ID=${created.principal.client_id}`,
    `HCP_CLIENT_SECRET=${created.client_secret}`,
    'The secret is shown only now; store it in your secret manager.',
  ].join('\n');
}

const roles = (p: PrincipalRecord) =>
  p.roles.map((r) => `${r.role} on ${r.organization_id}/${r.project_id}`).join(', ');

/** Adds the flags every `principals` subcommand takes. */
function withPrincipalFlags(command: Command): Command {
  return command
    .option('--registry <url>', 'registry URL (env INGOT_REGISTRY_URL or HCP_API_ADDRESS)')
    .option(
      '--credentials-file <file>',
      'JSON file with url, client_id and client_secret of an admin (env INGOT_CREDENTIALS_FILE)',
    )
    .option('--organization <id>', 'organization of the principals (default: all)', scopeId)
    .option('--project <id>', 'project of the principals (default: all)', scopeId)
    .option(
      '--database <url>',
      'work on this SQLite file or postgres:// URL directly instead of the API (an operator on the registry host)',
    )
    .option('--json', 'print JSON (the API objects) instead of text');
}

/**
 * `ingot principals create|ls|delete|rotate`: through the registry's API with the
 * caller's (admin) credentials; `--database` works on a database directly, and only
 * when named (a forgotten flag must not write to whatever file is at hand).
 */
export function principalsCommand(): Command {
  const principals = new Command('principals').description(
    'Manage service principals (OAuth2 clients) through the registry API.',
  );
  withPrincipalFlags(
    principals
      .command('create')
      .description('Create a principal and print its credentials once.')
      .requiredOption('--role <role>', `${ROLES.join(' | ')}`, role)
      .option('--name <name>', 'a name to recognise the principal by', 'principal'),
  ).action(async (flags: PrincipalFlags & { role: Role; name: string }) => {
    const created = await run(flags, (p) => p.create(flags.name, flags.role));
    const [binding] = created.principal.roles;
    emit(flags, created, () =>
      secretLines(
        `Created principal "${flags.name}" (${flags.role} on ${binding.organization_id}/${binding.project_id}).`,
        created,
      ),
    );
  });

  withPrincipalFlags(
    principals
      .command('ls')
      .description('List principals (of one project with --organization and --project).'),
  ).action(async (flags: PrincipalFlags) => {
    const found = await run(flags, (p) => p.list());
    emit(flags, { principals: found }, () =>
      found.length
        ? table(
            ['client id', 'name', 'roles', 'created'],
            found.map((p) => [p.client_id, p.name, roles(p), time(p.created_at)]),
          )
        : 'No principals here.',
    );
  });

  withPrincipalFlags(
    principals
      .command('delete')
      .argument('<client-id>', 'the principal’s client id')
      .description('Delete a principal; its tokens stop working at once on every process.'),
  ).action(async (clientId: string, flags: PrincipalFlags) => {
    await run(flags, (p) => p.delete(clientId));
    emit(flags, {}, () => `Deleted principal ${clientId}; its tokens no longer work.`);
  });

  withPrincipalFlags(
    principals
      .command('rotate')
      .argument('<client-id>', 'the principal’s client id')
      .description(
        'Give a principal a new client secret (printed once); the old secret and its tokens stop working at once.',
      ),
  ).action(async (clientId: string, flags: PrincipalFlags) => {
    const rotated = await run(flags, (p) => p.rotate(clientId));
    emit(flags, rotated, () =>
      secretLines(`New client secret for principal "${rotated.principal.name}".`, rotated),
    );
  });
  return principals;
}
