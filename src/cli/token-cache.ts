import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StoredToken, TokenOwner, TokenStore } from '../client/transport';

/**
 * The CLI's access tokens on disk, so a script's `ingot` commands share one token instead
 * of each taking its own (the registry allows 30 token requests a minute per client).
 * One JSON file, 0600 in a 0700 directory (the tokens are bearer credentials until they
 * expire), keyed by a hash of token URL, client id and client secret: the client secret
 * is never stored, and a rotated secret never finds an old token.
 */

const FILE_NAME = 'tokens.json';
const FORMAT = 1;

interface CacheFile {
  format: number;
  tokens: Record<string, { access_token: string; refresh_at: number }>;
}

/**
 * Where the cache lives, or null when it is off: `INGOT_TOKEN_CACHE` (a directory, or
 * `off`), else `$XDG_CACHE_HOME/ingot`, else `~/.cache/ingot`.
 */
export function tokenCacheDir(env: NodeJS.ProcessEnv): string | null {
  const setting = env.INGOT_TOKEN_CACHE?.trim();
  if (setting?.toLowerCase() === 'off') return null;
  if (setting) return path.resolve(setting);
  // The XDG base directory spec: a relative XDG_CACHE_HOME is invalid and ignored.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'ingot');
  return env.HOME ? path.join(env.HOME, '.cache', 'ingot') : null;
}

/** The store for the environment's cache directory, or undefined when it is off. */
export function tokenCache(
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): TokenStore | undefined {
  const dir = tokenCacheDir(env);
  return dir === null ? undefined : new FileTokenStore(dir, warn);
}

export class FileTokenStore implements TokenStore {
  readonly file: string;
  private warned = false;

  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.file = path.join(dir, FILE_NAME);
  }

  load(owner: TokenOwner): StoredToken | null {
    const entry = this.read().tokens[keyOf(owner)];
    return entry ? { value: entry.access_token, refreshAt: entry.refresh_at } : null;
  }

  save(owner: TokenOwner, token: StoredToken): void {
    const cache = this.read();
    const now = Date.now();
    for (const [key, entry] of Object.entries(cache.tokens))
      if (entry.refresh_at <= now) delete cache.tokens[key];
    cache.tokens[keyOf(owner)] = { access_token: token.value, refresh_at: token.refreshAt };
    this.write(cache);
  }

  discard(owner: TokenOwner, value: string): void {
    const cache = this.read();
    const key = keyOf(owner);
    if (cache.tokens[key]?.access_token !== value) return;
    delete cache.tokens[key];
    this.write(cache);
  }

  /**
   * The file's tokens; an empty cache when it is missing, unreadable, not ours, open to
   * others, or not what this version writes (the next save replaces it).
   */
  private read(): CacheFile {
    const empty: CacheFile = { format: FORMAT, tokens: {} };
    let text: string;
    try {
      const fd = fs.openSync(this.file, 'r');
      try {
        const stat = fs.fstatSync(fd);
        // Someone else's file, or one others may write, could hand us their token (POSIX
        // only: Windows has no getuid and no such mode bits).
        const uid = process.getuid?.();
        if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o077) !== 0)) return empty;
        text = fs.readFileSync(fd, 'utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return empty;
    }
    try {
      const parsed = JSON.parse(text) as Partial<CacheFile> | null;
      if (parsed?.format !== FORMAT || typeof parsed.tokens !== 'object' || !parsed.tokens)
        return empty;
      const tokens: CacheFile['tokens'] = {};
      for (const [key, entry] of Object.entries(parsed.tokens)) {
        if (typeof entry?.access_token === 'string' && typeof entry.refresh_at === 'number')
          tokens[key] = { access_token: entry.access_token, refresh_at: entry.refresh_at };
      }
      return { format: FORMAT, tokens };
    } catch {
      return empty;
    }
  }

  /**
   * Replaces the file at once (a temp file renamed over it), so a concurrent `ingot`
   * reads the old cache or the new one, never half of one. A failure costs only reuse.
   */
  private write(cache: CacheFile): void {
    const temp = path.join(
      this.dir,
      `.${FILE_NAME}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`,
    );
    let created = false;
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(temp, `${JSON.stringify(cache)}\n`, { mode: 0o600, flag: 'wx' });
      created = true;
      fs.renameSync(temp, this.file);
    } catch (error) {
      if (created) removeQuietly(temp);
      if (this.warned) return;
      this.warned = true;
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.warn(
        `warning: cannot keep the access token in ${this.file} (${code}), so each command takes a new one and a script may hit the token rate limit. Set INGOT_TOKEN_CACHE to a writable directory, or to off.`,
      );
    }
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Left behind in the cache directory: harmless, and the warning already went out.
  }
}

/** The entry's name: a hash of whose token it is, which reveals nothing of the secret. */
function keyOf(owner: TokenOwner): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([owner.tokenUrl, owner.clientId, owner.clientSecret]))
    .digest('hex');
}
