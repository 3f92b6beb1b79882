import crypto from 'node:crypto';

/** A short stable hash of `text` (hex), for names that must fit a length limit. */
export function shortHash(text: string, length = 6): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `name` if it fits in `max` characters, else a prefix of it plus a hash of the whole
 * name, so distinct long names stay distinct. The result never ends with a dash.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = shortHash(name);
  const head = name.slice(0, Math.max(1, max - hash.length - 1)).replace(/-+$/, '');
  return `${head}-${hash}`.slice(0, max);
}

/** Runner names start with this: `<environment>-<pool>`. */
export function runnerNamePrefix(environment: string, pool: string): string {
  return `${environment}-${pool}`;
}

/** A GCP service account id (6–30 of `[a-z0-9-]`, starting with a letter), unique per stack and pool. */
export function gcpAccountId(environment: string, pool: string): string {
  return fitName(`runner-${environment}-${pool}`, 30);
}

/**
 * The base of a managed instance group's VM names. Windows computer names keep 15
 * characters and the group appends `-xxxx`, so Windows bases stay within 10.
 */
export function gcpBaseInstanceName(environment: string, pool: string, os: string): string {
  return fitName(`${environment}-${pool}`, os === 'windows' ? 10 : 40);
}

/** Tags (AWS) / labels (GCP) every runner resource carries. */
export function runnerTags(environment: string, pool: string): Record<string, string> {
  return { 'ingot-environment': environment, 'ingot-pool': pool, 'managed-by': 'pulumi' };
}
