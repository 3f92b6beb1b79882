import fs from 'node:fs';
import { writeCredentialsFile } from './auth/auth-service';
import type { AuthService } from './auth/auth-service';

/**
 * Keeps the admin credentials file's `url` on the address the registry listens on now.
 * The file is written at first start; restarted on another port, every command reading
 * it would otherwise call the old address and report the registry as not running. Only
 * a file whose client belongs to this registry's database is touched. Returns whether
 * the file was rewritten.
 */
export async function refreshCredentialsUrl(
  file: string,
  url: string,
  auth: AuthService,
): Promise<boolean> {
  let content: Record<string, unknown>;
  try {
    content = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (!content || typeof content !== 'object' || content.url === url) return false;
  const clientId = content.client_id;
  if (typeof clientId !== 'string') return false;
  const principals = await auth.listPrincipals();
  if (!principals.some((p) => p.clientId === clientId)) return false;
  const strings = Object.fromEntries(
    Object.entries(content).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  writeCredentialsFile(file, { ...strings, url });
  return true;
}
