import assert from 'node:assert/strict';
import { DURATION_BUCKETS, Metrics } from '../../../src/registry/http/metrics';

/** Sample lines of the text exposition format 0.0.4: `name{labels} value`. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    assert.ok(match, `not a sample line of the exposition format: ${line}`);
    found.set(match[1], Number(match[2]));
  }
  return found;
}

describe('request metrics (Prometheus text exposition format 0.0.4)', () => {
  it('counts requests by method, route and status', async () => {
    const metrics = new Metrics();
    metrics.observe('GET', '/a/:id', 200, 0.0005);
    metrics.observe('GET', '/a/:id', 200, 0.002);
    metrics.observe('GET', '/a/:id', 404, 0.002);
    metrics.observe('POST', '/a', 201, 0.02);
    const got = samples(await metrics.text());
    assert.equal(got.get('ingot_http_requests_total{method="GET",route="/a/:id",status="200"}'), 2);
    assert.equal(got.get('ingot_http_requests_total{method="GET",route="/a/:id",status="404"}'), 1);
    assert.equal(got.get('ingot_http_requests_total{method="POST",route="/a",status="201"}'), 1);
  });

  it('keeps cumulative duration buckets, a +Inf bucket, the sum and the count per route', async () => {
    const metrics = new Metrics();
    for (const seconds of [0.0005, 0.001, 0.003, 0.3, 7])
      metrics.observe('GET', '/r', 200, seconds);
    const got = samples(await metrics.text());
    const bucket = (le: string) =>
      got.get(`ingot_http_request_duration_seconds_bucket{le="${le}",method="GET",route="/r"}`);
    // An observation equal to a bound falls in that bucket (le: less or equal).
    assert.equal(bucket('0.001'), 2);
    assert.equal(bucket('0.0025'), 2);
    assert.equal(bucket('0.005'), 3);
    assert.equal(bucket('0.25'), 3);
    assert.equal(bucket('0.5'), 4);
    assert.equal(bucket('2.5'), 4);
    assert.equal(bucket('+Inf'), 5);
    assert.equal(
      DURATION_BUCKETS.filter((le) => bucket(String(le)) !== undefined).length,
      DURATION_BUCKETS.length,
    );
    assert.equal(got.get('ingot_http_request_duration_seconds_count{method="GET",route="/r"}'), 5);
    const sum = got.get('ingot_http_request_duration_seconds_sum{method="GET",route="/r"}') ?? 0;
    assert.ok(Math.abs(sum - 7.3045) < 1e-9, `sum ${sum}`);
  });

  it('declares each metric once, with its type, and keeps the process metrics', async () => {
    const metrics = new Metrics();
    metrics.observe('GET', '/r', 200, 0.001);
    metrics.observe('GET', '/s', 500, 0.001);
    const text = await metrics.text();
    for (const [name, type] of [
      ['ingot_http_requests_total', 'counter'],
      ['ingot_http_request_duration_seconds', 'histogram'],
    ]) {
      assert.equal(text.split(`# TYPE ${name} ${type}\n`).length, 2, `${name} declared once`);
    }
    assert.match(text, /^ingot_process_cpu_seconds_total \d/m);
    assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
  });

  it('escapes backslashes, double quotes and newlines in label values', async () => {
    const metrics = new Metrics();
    metrics.observe('GET', 'a\\b"c\nd', 200, 0.001);
    const got = samples(await metrics.text());
    assert.equal(
      got.get('ingot_http_requests_total{method="GET",route="a\\\\b\\"c\\nd",status="200"}'),
      1,
    );
  });
});
