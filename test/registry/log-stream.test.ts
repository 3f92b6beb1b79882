import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import { logStream } from '../../src/registry/log-stream';

/** What a Fastify app with the registry's log settings writes for one request. */
async function logOf(format: 'pretty' | 'json' | 'auto', isTTY: boolean): Promise<string> {
  const sink = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const stream = logStream(format, sink);
  const app = Fastify({ logger: { level: 'info', stream: stream ?? sink } });
  app.get('/healthz', async () => ({ ok: true }));
  await app.inject({ method: 'GET', url: '/healthz' });
  await app.close();
  return text;
}

describe('registry log format', () => {
  it('writes one readable line per event on a terminal: time, level, message, request', async () => {
    const text = await logOf('auto', true);
    const lines = text.trim().split('\n');
    assert.ok(lines.length >= 2, text);
    for (const line of lines) assert.throws(() => JSON.parse(line), 'not JSON');
    assert.match(text, /\d{2}:\d{2}:\d{2}.*INFO.*incoming request: GET \/healthz/);
    assert.match(text, /request completed: 200 in \d+ ms/);
    assert.match(text, /reqId/, 'the request id stays, so lines join up');
  });

  it('writes JSON lines when not on a terminal, or when asked for json', async () => {
    for (const text of [await logOf('auto', false), await logOf('json', true)]) {
      const lines = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.ok(lines.some((l) => l.msg === 'incoming request' && l.req.url === '/healthz'));
    }
  });

  it('pretty-prints when asked, even into a file', async () => {
    assert.match(await logOf('pretty', false), /incoming request: GET \/healthz/);
  });
});
