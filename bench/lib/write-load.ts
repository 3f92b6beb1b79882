/**
 * Write throughput of a running registry: Packer-shaped publishes (bench/lib/
 * packer-sequence.ts) and channel moves, each by `writers` concurrent clients for
 * `seconds`, in operations per second. Every write goes through the HTTP API as a
 * client's would (fetch, keep-alive), so figures include auth, validation and logging.
 */
import { packerPublish, preparePackerBucket, type Send, type SendReply } from './packer-sequence';

/** A refusal the Packer sequence meets by design: a channel update before completion. */
function expected(body: { details?: { reason?: string }[] }): boolean {
  return body.details?.some((d) => d.reason === 'VERSION_NOT_ASSIGNABLE') ?? false;
}

export interface WriteStats {
  writers: number;
  seconds: number;
  publishes: number;
  publishesPerSecond: number;
  /** API calls per second during the publishes (19 per publish). */
  publishCallsPerSecond: number;
  moves: number;
  movesPerSecond: number;
  /** Answers that were not what Packer expects (non-2xx except GetVersion's Aborted). */
  failures: number;
}

const BASE = '/packer/2023-01-01/organizations/bench-writes/projects/packer';

/** Runs `work` in `writers` loops until `seconds` have passed; returns completed operations. */
async function loop(
  writers: number,
  seconds: number,
  work: (writer: number, i: number) => Promise<void>,
): Promise<{ done: number; elapsed: number }> {
  const started = performance.now();
  const until = started + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let i = 0; performance.now() < until; i++) {
        await work(writer, i);
        done++;
      }
    }),
  );
  return { done, elapsed: (performance.now() - started) / 1000 };
}

export async function measureWrites(
  url: string,
  token: string,
  writers: number,
  seconds: number,
): Promise<WriteStats> {
  let calls = 0;
  let failures = 0;
  const send: Send = async (method, path, body) => {
    calls++;
    const res = await fetch(`${url}${BASE}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body,
    });
    const parsed = (await res.json()) as SendReply['body'] & { details?: { reason?: string }[] };
    // GetVersion of a new fingerprint answers 409 Aborted (code 10), as HCP does; the
    // channel update after each of the first builds is refused until the version is
    // complete (as in bench/packer-publish.ts).
    if (res.status !== 200 && parsed.code !== 10 && !expected(parsed)) failures++;
    return { status: res.status, body: parsed };
  };

  await preparePackerBucket(send, 'ubuntu', 'dev');
  const stamp = Date.now().toString(36);
  const before = calls;
  const published = await loop(writers, seconds, (writer, i) =>
    packerPublish(send, 'ubuntu', 'dev', `w${stamp}-${writer}-${i}`),
  );
  const publishCalls = calls - before;

  // One channel per writer (so the figure is throughput, not one row's lock), moved
  // back and forth between two published versions.
  const fingerprints = [`m${stamp}-a`, `m${stamp}-b`];
  for (const fp of fingerprints) await packerPublish(send, 'ubuntu', 'dev', fp);
  for (let w = 0; w < writers; w++)
    await send('POST', '/buckets/ubuntu/channels', JSON.stringify({ name: `move-${w}` }));
  const moved = await loop(writers, seconds, (writer, i) =>
    send(
      'PATCH',
      `/buckets/ubuntu/channels/move-${writer}`,
      JSON.stringify({ version_fingerprint: fingerprints[i % 2] }),
    ).then(() => undefined),
  );
  return {
    writers,
    seconds,
    publishes: published.done,
    publishesPerSecond: published.done / published.elapsed,
    publishCallsPerSecond: publishCalls / published.elapsed,
    moves: moved.done,
    movesPerSecond: moved.done / moved.elapsed,
    failures,
  };
}
