import { asRegistryError, isNotFound, type RegistryClientError } from '../client/errors';
import { io } from './io';
import { tokenCacheDir } from './token-cache';

type Kind = 'bucket' | 'version' | 'channel';

/** What the missing thing is: the registry's metadata (Ingot) or the reason, else the question asked. */
function missingKind(error: RegistryClientError): Kind | null {
  const reason = error.reason;
  if (reason === 'BUCKET_NOT_FOUND') return 'bucket';
  if (reason === 'VERSION_NOT_FOUND') return 'version';
  if (reason === 'CHANNEL_NOT_FOUND') return 'channel';
  // Something else is missing (a consumer stack, a principal): the registry's words name it.
  if (reason?.endsWith('_NOT_FOUND')) return null;
  const kind = error.detail.metadata?.kind;
  if (kind === 'bucket' || kind === 'version' || kind === 'channel') return kind;
  const operation = error.detail.operation ?? '';
  // HCP answers an unknown fingerprint with code 10 (Aborted).
  if (error.detail.code === 10 || /\bversion "/.test(operation)) return 'version';
  if (/\bchannel "/.test(operation)) return 'channel';
  if (/\bbucket "/.test(operation)) return 'bucket';
  return null;
}

function quoted(operation: string, word: string): string | undefined {
  return new RegExp(`\\b${word} "([^"]*)"`).exec(operation)?.[1];
}

/** The same facts in the CLI's words: which command lists what exists, which flag to change. */
function notFound(error: RegistryClientError, kind: Kind): string | null {
  const { operation = '', metadata, organizationId, projectId, registryUrl } = error.detail;
  const bucket = quoted(operation, 'bucket') ?? (kind === 'bucket' ? metadata?.name : undefined);
  if (!bucket) return null;
  if (kind === 'bucket') {
    const where = organizationId
      ? ` in organization "${organizationId}", project "${projectId}"${registryUrl ? ` of ${registryUrl}` : ''}`
      : '';
    return `bucket "${bucket}" does not exist${where}. \`ingot buckets ls\` lists the buckets there; --organization and --project (HCP_ORGANIZATION_ID, HCP_PROJECT_ID) choose another project.`;
  }
  if (kind === 'version') {
    const version = metadata?.name ?? quoted(operation, 'version');
    return `bucket "${bucket}" has no version "${version}". \`ingot versions ls ${bucket}\` lists its versions by name (v1, v2…) and fingerprint.`;
  }
  const channel = metadata?.name ?? quoted(operation, 'channel');
  return `bucket "${bucket}" has no channel "${channel}". \`ingot channels ls ${bucket}\` lists its channels; \`ingot channels set ${bucket} ${channel} --version <name or fingerprint>\` creates it.`;
}

/** How `ingot` itself avoids the token endpoint's limit, and what is left to do. */
function rateLimitAdvice(): string {
  const dir = tokenCacheDir(io().env);
  if (dir === null)
    return 'The token cache is off (INGOT_TOKEN_CACHE=off, or no HOME), so each ingot command takes a new token: unset INGOT_TOKEN_CACHE (or set it to a directory) and the commands of a script share one.';
  return `ingot commands reuse one cached token (in ${dir}) until shortly before it expires, so the requests come from processes that do not share it: other machines, CI jobs or Pulumi stacks with the same client, or many commands started at once before the first token was cached. Give each its own principal, or wait.`;
}

/**
 * An error as the CLI reports it (after `ingot: `). The registry speaks API ("create it
 * first (PUT …/buckets)"); a person at the command line is told which command or flag
 * fixes it instead. Everything else keeps its own message, which already names the
 * operation, the registry and what to do.
 */
export function cliMessage(error: unknown): string {
  const known = asRegistryError(error);
  if (known && isNotFound(known)) {
    const kind = missingKind(known);
    const text = kind ? notFound(known, kind) : null;
    if (text) return text;
  }
  if (known?.reason === 'TOKEN_RATE_LIMITED') return `${known.message} ${rateLimitAdvice()}`;
  if (known?.status === 403 && /has no role/.test(known.message)) {
    return `${known.message} (Or is the project wrong? --organization and --project choose it.)`;
  }
  return error instanceof Error ? error.message : String(error);
}
