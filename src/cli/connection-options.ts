import type { Command } from 'commander';
import type { ConnectionOptions } from '../client/connection';
import { ClientConfigError } from '../client/errors';
import { RegistryClient } from '../client/registry-client';
import type { TokenStore } from '../client/transport';
import { io, type CliIo } from './io';
import { withJson, type OutputFlags } from './output';
import { tokenCache } from './token-cache';

/** The flags every command that talks to a registry takes. */
export interface ConnectionFlags {
  registry?: string;
  organization?: string;
  project?: string;
  credentialsFile?: string;
}

export type RegistryFlags = ConnectionFlags & OutputFlags;

/** Adds the connection flags and `--json` to a command that talks to a registry. */
export function withConnection(command: Command): Command {
  return withJson(
    command
      .option('--registry <url>', 'registry URL (env INGOT_REGISTRY_URL or HCP_API_ADDRESS)')
      .option('--organization <id>', 'organization id (env HCP_ORGANIZATION_ID)')
      .option('--project <id>', 'project id (env HCP_PROJECT_ID)')
      .option(
        '--credentials-file <file>',
        'JSON file with url, client_id and client_secret, as `ingot registry serve` writes it (env INGOT_CREDENTIALS_FILE)',
      ),
  );
}

/** What the connection flags ask for, as client options (flags win over the environment). */
export function connectionOptions(flags: ConnectionFlags): ConnectionOptions {
  const options: ConnectionOptions = {};
  // A file named on the command line beats the environment (resolveConnection's rule).
  if (flags.credentialsFile) options.credentialsFile = flags.credentialsFile;
  if (flags.registry !== undefined) {
    options.registryUrl = flags.registry;
    options.registryUrlSource = '--registry';
  }
  if (flags.organization !== undefined) options.organizationId = flags.organization;
  if (flags.project !== undefined) options.projectId = flags.project;
  return options;
}

const stores = new WeakMap<CliIo, TokenStore | undefined>();

/**
 * The token store of this run (one, so a failing cache warns once): the cache file the
 * commands of a script share, or none when INGOT_TOKEN_CACHE=off.
 */
export function cliTokenStore(): TokenStore | undefined {
  const run = io();
  if (!stores.has(run))
    stores.set(
      run,
      tokenCache(run.env, (message) => run.stderr.write(`ingot: ${message}\n`)),
    );
  return stores.get(run);
}

/** A client for the registry the flags and environment name; every problem at once. */
export function connect(flags: ConnectionFlags): RegistryClient {
  try {
    return new RegistryClient(connectionOptions(flags), { tokenStore: cliTokenStore() }, io().env);
  } catch (error) {
    if (error instanceof ClientConfigError) {
      error.message +=
        '\nThe flags --registry, --organization, --project and --credentials-file override these variables.';
    }
    throw error;
  }
}
