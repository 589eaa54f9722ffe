import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { ComputedDefault, ConfigError, SETTINGS, defaultHashConcurrency, loadConfig, type AnySetting, type Config } from '../src/config.js';
import { parsePostgresUrl } from '../src/store/postgres.js';
import { startTestServer } from './support/harness.js';

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
    [
      { PACERPRO_JWT_SECRET: 'too-short-secret' },
      {},
      'PACERPRO_JWT_SECRET=(16 bytes) is not valid: expected at least 32 bytes, e.g. the output of `openssl rand -hex 32`.',
    ],
    [
      { PACERPRO_CORS_ORIGINS: 'ftp://files.example' },
      {},
      'PACERPRO_CORS_ORIGINS="ftp://files.example" is not valid: expected a comma-separated list of origins such as https://app.example.com,http://localhost:5173.',
    ],
  ];
  for (const [env, flags, message] of refused) {
    assert.throws(
      () => loadConfig(env, flags),
      (error: unknown) => error instanceof ConfigError && error.message === message,
    );
  }
});

test('every row of SETTINGS is one field of the loaded Config, and nothing else is', () => {
  const config = loadConfig({});
  assert.deepEqual(
    Object.keys(config),
    SETTINGS.map((s) => s.key),
  );
});

test('a default its own setting would refuse fails the build', () => {
  const machines = [1, 2, 3, 4, 8, 64].map((cores) => ({ cores }));
  const rows: readonly AnySetting[] = SETTINGS;
  for (const s of rows) {
    const fallback = s.defaultValue;
    if (fallback === undefined) continue;
    if (fallback instanceof ComputedDefault) {
      for (const machine of machines) {
        const value = loadConfig({}, {}, machine)[s.key as keyof Config];
        assert.deepEqual(s.parse(String(value), machine), { ok: true, value }, `${s.env}'s computed default on ${machine.cores} cores`);
      }
      continue;
    }
    const written = s.defaultShown ?? (Array.isArray(fallback) ? fallback.join(',') : String(fallback));
    assert.deepEqual(s.parse(written, { cores: 1 }), { ok: true, value: fallback }, `${s.env}'s default, written ${written}`);
  }
});

test("hashing concurrency: the setting, else a worker's share of the cores less one, at most three", () => {
  const hashing = (env: Record<string, string>, cores: number) => loadConfig(env, {}, { cores }).hashConcurrency;
  assert.equal(hashing({ PACERPRO_HASH_CONCURRENCY: '6', PACERPRO_WORKERS: '4' }, 8), 6);
  assert.equal(hashing({}, 2), 1, 'a core stays free for the event loop');
  assert.equal(hashing({}, 4), 3);
  assert.equal(hashing({}, 8), 3, 'at most three by default');
  assert.equal(hashing({ PACERPRO_WORKERS: '2' }, 8), 3);
  assert.equal(hashing({ PACERPRO_WORKERS: '4' }, 8), 1);
  assert.equal(hashing({ PACERPRO_WORKERS: '16' }, 8), 1, 'never below one');
  assert.equal(hashing({}, 1), 1);
  assert.equal(loadConfig({}, { workers: '2' }, { cores: 8 }).hashConcurrency, 3, '--workers counts as PACERPRO_WORKERS does');
  assert.equal(loadConfig({ PACERPRO_WORKERS: 'auto' }, {}, { cores: 8 }).hashConcurrency, 1, 'auto: one worker per core');
  assert.equal(loadConfig({}).hashConcurrency, defaultHashConcurrency(availableParallelism(), 1), 'this machine by default');
});

test('PACERPRO_HASH_CONCURRENCY and PACERPRO_WORKERS (auto: one per core)', () => {
  assert.equal(loadConfig({}).workers, 1);
  assert.equal(loadConfig({ PACERPRO_HASH_CONCURRENCY: '3' }).hashConcurrency, 3);
  assert.equal(loadConfig({ PACERPRO_WORKERS: 'auto' }).workers, availableParallelism());
  assert.equal(loadConfig({ PACERPRO_WORKERS: 'auto' }, {}, { cores: 6 }).workers, 6);
  assert.equal(loadConfig({}, { workers: '2' }).workers, 2);
  for (const [env, message] of [
    [{ PACERPRO_HASH_CONCURRENCY: '0' }, 'PACERPRO_HASH_CONCURRENCY="0" is not valid: expected an integer from 1 to 256.'],
    [{ PACERPRO_WORKERS: 'many' }, 'PACERPRO_WORKERS="many" is not valid: expected an integer from 1 to 256, or auto.'],
  ] as const) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => error instanceof ConfigError && error.message === message,
    );
  }
});

const badSchema = (source: string, schema: string) =>
  `${source} ?schema=${JSON.stringify(schema)} is not valid: expected a lower-case name like pacerpro_auth ` +
  '(a to z, 0 to 9 and _, at most 63, not starting with a digit).';

test('a postgres DATABASE_URL whose ?schema= the store would refuse fails loadConfig, before start-up', () => {
  const long = 'a'.repeat(64);
  const refused: Array<[Record<string, string>, Record<string, string>, string]> = [
    [{ DATABASE_URL: 'postgres://db/app?schema=Auth;drop' }, {}, badSchema('DATABASE_URL', 'Auth;drop')],
    [{}, { 'database-url': 'postgresql://db/app?schema=9lives' }, badSchema('--database-url', '9lives')],
    [{ DATABASE_URL: 'postgres://db/app?schema=' }, {}, badSchema('DATABASE_URL', '')],
    [{ DATABASE_URL: `postgres://db/app?schema=${long}` }, {}, badSchema('DATABASE_URL', long)],
    [
      { DATABASE_URL: 'postgres://db/app?schema=a&options=-c%20search_path%3Db' },
      {},
      'DATABASE_URL has both ?schema= and ?options=: give the schema in one of them only.',
    ],
  ];
  for (const [env, flags, message] of refused) {
    assert.throws(
      () => loadConfig(env, flags),
      (error: unknown) => error instanceof ConfigError && error.message === message,
      message,
    );
  }
  const accepted = ['postgres://u:secret@db.example:5432/app?schema=auth&sslmode=disable', `postgres://db/app?schema=_${'a'.repeat(62)}`];
  for (const url of accepted) assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
  const sqlitePath = './data/odd?schema=Name.db';
  assert.equal(loadConfig({ DATABASE_URL: sqlitePath }).databaseUrl, sqlitePath, 'a SQLite path is no URL');
});

test('loadConfig and the store refuse the same postgres URLs, for the same reason', () => {
  const urls = [
    'postgres://db/app',
    'postgres://db/app?schema=auth',
    'postgres://db/app?schema=Auth',
    'postgres://db/app?schema=a-b',
    'postgres://db/app?schema=a&options=x',
    'postgres://db/app?options=-c%20search_path%3Db',
    'postgres://u:pw@db:99999/app',
  ];
  for (const url of urls) {
    const store = (() => {
      try {
        parsePostgresUrl(url);
        return 'accepted';
      } catch (error) {
        assert.ok(error instanceof ConfigError, url);
        return error.message;
      }
    })();
    const config = (() => {
      try {
        loadConfig({ DATABASE_URL: url });
        return 'accepted';
      } catch (error) {
        assert.ok(error instanceof ConfigError, url);
        return error.message;
      }
    })();
    assert.equal(config, store, url);
  }
});

test('a postgres URL without ?schema= reaches pg byte for byte, not re-encoded with %20 turned into +', () => {
  const url = 'postgres://u:p%40ss@db:5432/app?options=-c%20statement_timeout%3D5s&application_name=a%20b';
  assert.equal(parsePostgresUrl(url).connectionString, url);
});

test('a postgres URL that does not parse fails loadConfig, not the store at start-up with a TypeError, and never echoes its password', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://pacerpro:hunter2@db.internal:99999/app' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message === 'DATABASE_URL is not a valid URL: expected postgres://user:password@host:5432/database.',
  );
});

test('a refused REDIS_URL never echoes its password', () => {
  for (const raw of ['redis://:hunter2@cache:99999', 'redis://default:hunt@er2@cache:99999/0']) {
    assert.throws(
      () => loadConfig({ REDIS_URL: raw }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunt') && error.message.includes('***@cache:99999'),
      raw,
    );
  }
  assert.equal(loadConfig({ REDIS_URL: 'rediss://:secret@cache:6380/2' }).redisUrl, 'rediss://:secret@cache:6380/2');
});

test('a trusted proxy address Fastify would refuse fails loadConfig instead of buildApp', async () => {
  for (const raw of ['300.1.1.1', '10.0.0.0/40', '::::/200', '10.0.0.0/8/8', 'fe80::1/129', '1.2.3']) {
    assert.throws(
      () => loadConfig({ PACERPRO_TRUST_PROXY: raw }),
      (error: unknown) =>
        error instanceof ConfigError && error.message.startsWith(`PACERPRO_TRUST_PROXY=${JSON.stringify(raw)} is not valid`),
      raw,
    );
  }
  // And what it accepts, Fastify takes.
  for (const raw of ['127.0.0.1', '10.0.0.0/8,loopback', 'fe80::1/64', '::1', '2001:db8::/32,uniquelocal', '3']) {
    const server = await startTestServer({ env: { PACERPRO_TRUST_PROXY: raw } });
    await server.close();
  }
});

test('a metrics port equal to the API port fails loadConfig instead of the second listen', () => {
  assert.throws(
    () => loadConfig({ PORT: '9100', PACERPRO_METRICS_PORT: '9100' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message ===
        'PACERPRO_METRICS_PORT (--metrics-port) is 9100, the port of the API (PORT): give it a port of its own, or leave it unset.',
  );
  assert.equal(loadConfig({}, { port: '0', 'metrics-port': '0' }).metricsPort, 0, 'two ports the system picks are two ports');
  assert.equal(loadConfig({ PACERPRO_METRICS_PORT: '9100' }).metricsPort, 9100);
});

test('a DATABASE_URL with a scheme no store reads fails loadConfig, naming the forms and the likely typo, instead of becoming a new SQLite file', () => {
  const forms =
    'a SQLite file path such as ./data/pacerpro.db (or sqlite:PATH, file:PATH, :memory:), or postgres://user:password@host:5432/database (postgresql:// too)';
  const cases: Array<[string, string]> = [
    ['mysql://root:hunter2@127.0.0.1/db', `DATABASE_URL has the scheme mysql://, which this server cannot use: expected ${forms}.`],
    ['http://db.internal/app', `DATABASE_URL has the scheme http://, which this server cannot use: expected ${forms}.`],
    [
      'postgress://u:hunter2@db/app',
      `DATABASE_URL has the scheme postgress://, which this server cannot use: expected ${forms}. Did you mean postgres://?`,
    ],
    ['sqlit:///tmp/x.db', `DATABASE_URL has the scheme sqlit://, which this server cannot use: expected ${forms}. Did you mean sqlite://?`],
  ];
  for (const [url, message] of cases) {
    assert.throws(
      () => loadConfig({ DATABASE_URL: url }),
      (error: unknown) => error instanceof ConfigError && error.message === message && !error.message.includes('hunter2'),
      url,
    );
  }
  for (const url of ['./data/pacerpro.db', ':memory:', 'sqlite:///tmp/x.db', 'file:./x.db', 'POSTGRES://db/app', 'C:\\data\\x.db']) {
    assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url, url);
  }
});

test('PACERPRO_DEVISE_USERS_TABLE without a PostgreSQL schema of our own fails loadConfig, naming the fix (was: our migrations meeting the Rails tables)', () => {
  const attached = { PACERPRO_DEVISE_USERS_TABLE: 'users' };
  assert.throws(() => loadConfig({ ...attached, DATABASE_URL: './data/pacerpro.db' }), {
    message:
      /PACERPRO_DEVISE_USERS_TABLE \(--devise-users-table\) is public\.users, which needs DATABASE_URL to be the Rails app's PostgreSQL/,
  });
  assert.throws(() => loadConfig({ ...attached, DATABASE_URL: 'postgres://db/app' }), { message: /add \?schema=pacerpro_auth/ });
  assert.throws(() => loadConfig({ ...attached, DATABASE_URL: 'postgres://db/app?schema=public' }), { message: /other than public/ });
  assert.throws(() => loadConfig({ PACERPRO_DEVISE_USERS_TABLE: 'users; drop', DATABASE_URL: 'postgres://db/app?schema=auth' }), {
    message: /PACERPRO_DEVISE_USERS_TABLE="users; drop" is not valid: expected a table name as schema\.table/,
  });
  const config = loadConfig({ PACERPRO_DEVISE_USERS_TABLE: 'rails.users', DATABASE_URL: 'postgres://db/app?schema=auth' });
  assert.deepEqual([config.deviseUsersTable, config.deviseStretches], ['rails.users', 12]);
  assert.throws(() => loadConfig({ PACERPRO_DEVISE_STRETCHES: '3' }), {
    message: /PACERPRO_DEVISE_STRETCHES="3" is not valid: expected an integer from 4 to 31/,
  });
});
