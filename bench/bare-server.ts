/**
 * Child process of bench/registry-channel-read.ts: the floor to compare the registry
 * against. A bare `node:http` server that answers every request with the bytes of
 * BENCH_BODY_FILE and the content type BENCH_CONTENT_TYPE (a real channel response),
 * without routing, auth or a database. Prints { url } as one JSON line on stdout, answers
 * each `cpu` line on stdin with { cpu: process.cpuUsage() }, and stops on SIGTERM/SIGINT
 * or when its stdin closes.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import readline from 'node:readline';

const bodyFile = process.env.BENCH_BODY_FILE;
const contentType = process.env.BENCH_CONTENT_TYPE;
if (!bodyFile || !contentType) {
  console.error('bare-server: BENCH_BODY_FILE and BENCH_CONTENT_TYPE must be set');
  process.exit(1);
}
const body = fs.readFileSync(bodyFile);
const headers = { 'content-type': contentType, 'content-length': String(body.length) };

const server = http.createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('error', stop);
readline
  .createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === 'cpu')
      process.stdout.write(`${JSON.stringify({ cpu: process.cpuUsage() })}\n`);
  })
  .on('close', stop);

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
