import { Command, InvalidArgumentError } from 'commander';
import { AuthService } from '../registry/auth/auth-service';
import { ANY, isRole, ROLES, type Role } from '../registry/auth/roles';
import { systemClock } from '../registry/clock';
import { loadServeConfig } from '../registry/serve-config';
import { openDatabase } from '../registry/storage/database';
import { migrate } from '../registry/storage/migrations';

const SCOPE_ID = /^[A-Za-z0-9._-]{1,64}$/;

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

/** `ingot principals create`: works on the database directly, like `registry migrate`. */
export function principalsCommand(): Command {
  const principals = new Command('principals').description(
    'Manage service principals (OAuth2 clients).',
  );
  principals
    .command('create')
    .description('Create a principal and print its credentials once.')
    .requiredOption('--role <role>', `${ROLES.join(' | ')}`, role)
    .option('--organization <id>', 'organization the role applies to (default: all)', scopeId)
    .option('--project <id>', 'project the role applies to (default: all)', scopeId)
    .option('--name <name>', 'a name to recognise the principal by', 'principal')
    .option('--database <url>', 'SQLite file or postgres:// URL (env INGOT_DATABASE_URL)')
    .option('--json', 'print JSON')
    .action(
      async (flags: {
        role: Role;
        organization?: string;
        project?: string;
        name: string;
        database?: string;
        json?: boolean;
      }) => {
        if (flags.project && !flags.organization) {
          throw new Error('--project needs --organization: a project belongs to one organization.');
        }
        const config = loadServeConfig({ database: flags.database });
        const db = await openDatabase(config.databaseUrl);
        try {
          await migrate(db);
          const auth = new AuthService(db, systemClock);
          const { principal, clientSecret } = await auth.createPrincipal(flags.name, [
            {
              organizationId: flags.organization ?? ANY,
              projectId: flags.project ?? ANY,
              role: flags.role,
            },
          ]);
          const out = {
            client_id: principal.clientId,
            client_secret: clientSecret,
            role: flags.role,
            organization_id: flags.organization ?? ANY,
            project_id: flags.project ?? ANY,
          };
          if (flags.json) {
            console.log(JSON.stringify(out, null, 2));
          } else {
            console.log(
              `Created principal "${flags.name}" (${flags.role} on ${out.organization_id}/${out.project_id}).`,
            );
            console.log(`HCP_CLIENT_ID=${out.client_id}`);
            console.log(`HCP_CLIENT_SECRET=${out.client_secret}`);
            console.log('The secret is shown only now; store it in your secret manager.');
          }
        } finally {
          await db.close();
        }
      },
    );
  return principals;
}
