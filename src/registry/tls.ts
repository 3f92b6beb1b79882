import fs from 'node:fs';
import type { Server } from 'node:https';
import type { FastifyBaseLogger } from 'fastify';

/** The PEM files `--tls-cert` / `--tls-key` name. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/** Reads the certificate chain and key, naming the file that cannot be read. */
export function readTls(files: TlsFiles): TlsMaterial {
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new Error(`cannot read the TLS ${what} "${file}": ${(error as Error).message}`);
    }
  };
  return { cert: read(files.certFile, 'certificate'), key: read(files.keyFile, 'key') };
}

/**
 * Reloads the certificate and key on SIGHUP (e.g. after a renewal), for new
 * connections; a bad pair is logged and the one in use is kept. Returns the remover.
 */
export function reloadTlsOnHangup(
  server: Server,
  files: TlsFiles,
  log: FastifyBaseLogger,
): () => void {
  const reload = () => {
    try {
      server.setSecureContext(readTls(files));
      log.info({ cert: files.certFile }, 'TLS certificate and key reloaded');
    } catch (error) {
      log.error(
        { err: error, cert: files.certFile },
        'TLS reload failed; keeping the current pair',
      );
    }
  };
  process.on('SIGHUP', reload);
  return () => process.off('SIGHUP', reload);
}
