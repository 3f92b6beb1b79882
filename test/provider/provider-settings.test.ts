import assert from 'node:assert/strict';
import { settingsFromConfig } from '../../src/provider/registry-connection';

/** What `configure` reads from the stack config (the engine passes raw strings). */
const config = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe('provider settings from the stack config', () => {
  it('reads the registry timeouts and ingot:allowStaleImages (off unless "true")', () => {
    const settings = settingsFromConfig(
      config({
        'ingot:registryUrl': 'http://127.0.0.1:8080',
        'ingot:registryTimeoutMs': '2500',
        'ingot:registryDeadlineMs': '20000',
        'ingot:allowStaleImages': 'true',
      }),
    );
    assert.deepEqual(
      [settings.url, settings.timeoutMs, settings.deadlineMs, settings.allowStaleImages],
      ['http://127.0.0.1:8080', 2500, 20000, true],
    );
    assert.equal(settingsFromConfig(config({})).allowStaleImages, false);
    assert.equal(
      settingsFromConfig(config({ 'ingot:allowStaleImages': 'false' })).allowStaleImages,
      false,
    );
  });

  it('refuses values it cannot read, naming the key and the command that fixes it', () => {
    assert.throws(
      () => settingsFromConfig(config({ 'ingot:allowStaleImages': 'yes' })),
      /stack config ingot:allowStaleImages is "yes": use true or false \(`pulumi config set ingot:allowStaleImages true`\)/,
    );
    assert.throws(
      () => settingsFromConfig(config({ 'ingot:registryDeadlineMs': '30s' })),
      /stack config ingot:registryDeadlineMs is "30s": give a whole number of milliseconds, e\.g\. `pulumi config set ingot:registryDeadlineMs 10000`/,
    );
  });
});
