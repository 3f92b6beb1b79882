import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { RequestLogger } from '../../../src/registry/http/request-logger';
import { startTestRegistry, type TestRegistry } from '../../helpers/registry-harness';

function memoryLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write: (chunk, _encoding, next) => {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      next();
    },
  });
  const logger = pino({ level, timestamp: false }, stream);
  let children = 0;
  const child = logger.child.bind(logger);
  const counting = Object.assign(logger, {
    child: (...args: Parameters<typeof child>) => {
      children++;
      return child(...args);
    },
  });
  return { logger: counting as FastifyBaseLogger, stream, lines, children: () => children };
}

describe('per-request logger', () => {
  it('makes no pino child until the request logs', () => {
    const { logger, lines, children } = memoryLogger();
    const log = new RequestLogger(logger, { reqId: 'r1' }, {});
    log.debug('below the level');
    assert.equal(log.level, 'info');
    assert.equal(lines.length, 0);
    assert.equal(children(), 1, 'a call at any level makes the child, as pino itself would');
    const quiet = new RequestLogger(logger, { reqId: 'r2' }, {});
    assert.equal(quiet.level, 'info');
    assert.equal(children(), 1, 'reading the level makes nothing');
  });

  it('writes exactly the lines of the pino child it stands for', () => {
    const { logger, lines } = memoryLogger('debug');
    const log = new RequestLogger(logger, { reqId: 'r1' }, {});
    log.info({ res: { statusCode: 200 } }, 'request completed');
    log.error(new Error('boom'), 'request errored');
    log.warn('plain %s', 'format');
    const direct = memoryLogger('debug');
    const child = direct.logger.child({ reqId: 'r1' });
    child.info({ res: { statusCode: 200 } }, 'request completed');
    child.error(new Error('boom'), 'request errored');
    child.warn('plain %s', 'format');
    const withoutStacks = (all: Record<string, unknown>[]) =>
      all.map(({ err, ...rest }) => ({ ...rest, err: (err as { message?: string })?.message }));
    assert.deepEqual(withoutStacks(lines), withoutStacks(direct.lines));
    assert.equal(lines[0].reqId, 'r1');
  });

  it('honours a route log level given as a child option', () => {
    const { logger, lines } = memoryLogger('info');
    const log = new RequestLogger(logger, { reqId: 'r1' }, { level: 'warn' });
    assert.equal(log.level, 'warn');
    log.info('dropped');
    log.warn('kept');
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['kept'],
    );
  });

  describe('on a live registry logging at info', () => {
    let registry: TestRegistry;
    const { stream, lines } = memoryLogger('info');

    before(async () => {
      registry = await startTestRegistry('sqlite', undefined, {
        logger: { level: 'info', stream },
      });
    });
    after(async () => {
      await registry?.close();
    });

    it('logs a refusal with the request id it answered with, and a successful read not at all', async () => {
      await registry.token(); // taking a token is a write, logged
      const before = lines.length;
      const read = await registry.api('GET', `${registry.packer()}/buckets`);
      assert.equal(read.status, 200);
      assert.equal(lines.length, before, 'a successful read logs nothing at info');
      const refused = await registry.api('GET', `${registry.packer()}/buckets`, undefined, null);
      assert.equal(refused.status, 401);
      const line = lines.find((l) => l.reqId === refused.headers.get('x-request-id'));
      assert.ok(line, 'the refusal is logged with its request id');
      assert.equal(line.msg, 'request completed');
      assert.equal((line.res as { statusCode: number }).statusCode, 401);
    });
  });
});
