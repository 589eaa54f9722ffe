import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

test('defaults with an empty environment', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.databaseUrl, './data/pacerpro.db');
  assert.equal(config.jwtSecret, undefined);
  assert.equal(config.jwtTtlSeconds, 3600);
  assert.equal(config.logLevel, 'info');
  assert.deepEqual(config.corsOrigins, []);
  assert.ok(Object.isFrozen(config));
});

test('environment, and flags that win over it', () => {
  const config = loadConfig(
    { PORT: '8080', PACERPRO_JWT_TTL: '60', LOG_LEVEL: 'WARN', PACERPRO_CORS_ORIGINS: 'https://a.example, http://localhost:5173' },
    { port: '9090', 'database-url': '/tmp/x.db' },
  );
  assert.equal(config.port, 9090);
  assert.equal(config.jwtTtlSeconds, 60);
  assert.equal(config.logLevel, 'warn');
  assert.equal(config.databaseUrl, '/tmp/x.db');
  assert.deepEqual(config.corsOrigins, ['https://a.example', 'http://localhost:5173']);
});

test('a bad value names its source and the accepted form, and never echoes a secret', () => {
  const refused: Array<[Record<string, string>, Record<string, string>, string]> = [
    [{ PORT: '-1' }, {}, 'PORT="-1" is not valid: expected an integer from 0 to 65535.'],
    [{ PORT: '3000abc' }, {}, 'PORT="3000abc" is not valid: expected an integer from 0 to 65535.'],
    [{}, { 'jwt-ttl': '0' }, '--jwt-ttl="0" is not valid: expected an integer number of seconds from 1 to 31536000 (one year).'],
    [{ PACERPRO_JWT_SECRET: 'too-short-secret' }, {}, 'PACERPRO_JWT_SECRET=(16 bytes) is not valid: expected at least 32 bytes, e.g. the output of `openssl rand -hex 32`.'],
    [{ PACERPRO_CORS_ORIGINS: 'ftp://files.example' }, {}, 'PACERPRO_CORS_ORIGINS="ftp://files.example" is not valid: expected a comma-separated list of origins such as https://app.example.com,http://localhost:5173.'],
  ];
  for (const [env, flags, message] of refused) {
    assert.throws(() => loadConfig(env, flags), (error: unknown) => error instanceof ConfigError && error.message === message);
  }
});
