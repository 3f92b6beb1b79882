import assert from 'node:assert/strict';
import { ConfigError, loadServeConfig, SERVE_DEFAULTS } from '../../src/registry/serve-config';

describe('loadServeConfig', () => {
  it('uses the documented defaults', () => {
    assert.deepEqual(loadServeConfig({}, {}), {
      host: SERVE_DEFAULTS.host,
      port: 8080,
      databaseUrl: '.ingot/registry.db',
      credentialsFile: '.ingot/admin-credentials.json',
      logLevel: 'info',
      logFormat: 'auto',
    });
  });

  it('prefers flags over environment over defaults', () => {
    const env = {
      INGOT_HOST: '0.0.0.0',
      INGOT_PORT: '9000',
      INGOT_DATABASE_URL: 'postgres://u@db/x',
    };
    assert.equal(loadServeConfig({}, env).port, 9000);
    assert.equal(loadServeConfig({}, env).databaseUrl, 'postgres://u@db/x');
    const config = loadServeConfig({ port: '9100', host: '::1' }, env);
    assert.equal(config.port, 9100);
    assert.equal(config.host, '::1');
  });

  it('reports every problem at once, naming the flag and variable', () => {
    let caught: unknown;
    try {
      loadServeConfig(
        { host: 'bad host!', port: '70000', database: 'mysql://x' },
        { INGOT_LOG_LEVEL: 'loud', INGOT_LOG_FORMAT: 'xml' },
      );
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError);
    assert.equal(caught.problems.length, 5);
    assert.match(caught.message, /--host \/ INGOT_HOST/);
    assert.match(caught.message, /--port \/ INGOT_PORT/);
    assert.match(caught.message, /unsupported scheme/);
    assert.match(caught.message, /INGOT_LOG_LEVEL "loud"/);
    assert.match(caught.message, /INGOT_LOG_FORMAT "xml" is not one of auto, json, pretty/);
  });

  it('serves TLS only with both a certificate and a key that exist', () => {
    const problems = (flags: object, env: NodeJS.ProcessEnv = {}) => {
      try {
        loadServeConfig(flags, env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    assert.match(problems({ tlsCert: __filename }).join('\n'), /both --tls-cert and --tls-key/);
    assert.match(
      problems({ tlsCert: __filename, tlsKey: '/nonexistent/key.pem' }).join('\n'),
      /--tls-key file "\/nonexistent\/key.pem" does not exist/,
    );
    assert.deepEqual(
      loadServeConfig({}, { INGOT_TLS_CERT: __filename, INGOT_TLS_KEY: __filename }).tls,
      { certFile: __filename, keyFile: __filename },
    );
    assert.equal(loadServeConfig({}, {}).tls, undefined);
  });

  it('never echoes a database password', () => {
    assert.throws(
      () => loadServeConfig({ database: 'postgres://user:hunter2@[bad' }, {}),
      (error: Error) => !error.message.includes('hunter2') && /not a valid URL/.test(error.message),
    );
  });
});
