import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { App } from './app-types';

/** Where `npm run build:ui` writes the bundle: <repository>/dist/ui, run from src/ or dist/. */
export const WEB_UI_DIR = path.resolve(__dirname, '../../../dist/ui');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The page runs only its own bundle and talks only to this origin (the API). */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT =
  'The Ingot web UI is not built in this installation. Run `npm run build:ui` (or `npm ci`, ' +
  'which builds it) and restart the registry. The API works without it.';

/** Every file under `dir`, as `/`-separated paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory()
      ? filesUnder(path.join(dir, entry.name), relative)
      : entry.isFile()
        ? [relative]
        : [];
  });
}

/**
 * Serves the built web UI at `/`: one public route per file of the bundle, read once at
 * start (the bundle is small and fixed), so no request can name a path outside it. The
 * pages hold no data; everything they show comes from the API with the user's token.
 * Hidden from the OpenAPI document: these are not API routes.
 */
export function webUiRoutes(app: App, dir = WEB_UI_DIR): void {
  // Static files of the console: a page load fetches several, none worth a log line.
  const options = {
    schema: { hide: true },
    config: { access: 'public' as const },
    logLevel: 'warn' as const,
  };
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    app.get('/', options, async (_request, reply) =>
      reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }
  for (const file of filesUnder(dir)) {
    const body = fs.readFileSync(path.join(dir, file));
    const extension = path.extname(file);
    const contentType = CONTENT_TYPES[extension] ?? 'application/octet-stream';
    const etag = `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    // Vite names the files under assets/ by their content: they never change, so browsers
    // keep them; index.html names the current ones and is revalidated every time.
    const cacheControl = file.startsWith('assets/')
      ? 'public, max-age=31536000, immutable'
      : 'no-cache';
    app.get(file === 'index.html' ? '/' : `/${file}`, options, async (request, reply) => {
      reply
        .header('cache-control', cacheControl)
        .header('etag', etag)
        .header('x-content-type-options', 'nosniff')
        .type(contentType);
      if (extension === '.html') {
        reply
          .header('content-security-policy', CONTENT_SECURITY_POLICY)
          .header('referrer-policy', 'no-referrer');
      }
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.send(body);
    });
  }
}
