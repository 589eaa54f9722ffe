import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry, type Metric } from 'prom-client';
import { HASH_OPERATIONS } from '../../src/auth/passwords.js';
import { loadConfig } from '../../src/config.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { SeriesHistogram } from '../../src/metrics/series-histogram.js';
import { observerByOperation, timeStore } from '../../src/metrics/timed.js';
import { startServer } from '../../src/server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { DuplicateEmailError } from '../../src/store/store-errors.js';
import { call, login, startTestServer, tempDir } from '../support/harness.js';
import { parsePrometheus, valueOf, type Sample } from '../support/prometheus.js';

// GET /metrics: Prometheus text with requests by route and status, their latency, logins by
// outcome, password-hash and database durations, and the default process metrics.

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

test('counts requests, logins by outcome, and times hashing and the database', async () => {
  // A limit of 2 logins a minute: the third answers 429, a throttled login. The app's own hasher,
  // as `serve` has it, reports to the app's metrics.
  const server = await startTestServer({ env: { PACERPRO_IP_LOGIN_LIMIT: '2' }, appHasher: true });
  try {
    await server.addUser('alice@example.com');
    const { json } = await login(server.url);
    assert.equal((await login(server.url, { email: 'alice@example.com', password: 'not the password' })).res.status, 401);
    assert.equal((await login(server.url)).res.status, 429);
    assert.equal((await call(server.url, 'GET', `Bearer ${json.jwtToken as string}`)).res.status, 200);
    assert.equal((await fetch(`${server.url}/no/such/path?x=1`)).status, 404);

    const samples = await scrape(`${server.url}/metrics`);
    const requests = (method: string, route: string, status: number) =>
      valueOf(samples, 'http_requests_total', { method, route, status_code: String(status) });
    assert.equal(requests('POST', '/v1/session', 200), 1);
    assert.equal(requests('POST', '/v1/session', 401), 1);
    assert.equal(requests('POST', '/v1/session', 429), 1);
    assert.equal(requests('GET', '/v1/session', 200), 1);
    // Unknown paths are one series, whatever the URL: a scan cannot multiply series.
    assert.equal(requests('GET', 'unmatched', 404), 1);
    assert.equal(
      samples.some((s) => s.labels.route?.includes('/no/such')),
      false,
    );

    const refreshLatency = { method: 'GET', route: '/v1/session', status_code: '200' };
    assert.equal(valueOf(samples, 'http_request_duration_seconds_count', refreshLatency), 1);
    assert.ok(valueOf(samples, 'http_request_duration_seconds_sum', refreshLatency)! > 0);
    const buckets = samples.filter(
      (s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.route === '/v1/session' && s.labels.method === 'GET',
    );
    assert.deepEqual(
      buckets.map((b) => b.value),
      [...buckets.map((b) => b.value)].sort((a, b) => a - b),
      'cumulative buckets',
    );
    assert.equal(buckets.at(-1)!.labels.le, '+Inf');
    assert.equal(buckets.at(-1)!.value, 1);

    assert.equal(valueOf(samples, 'pacerpro_logins_total', { outcome: 'success' }), 1);
    assert.equal(valueOf(samples, 'pacerpro_logins_total', { outcome: 'failure' }), 1);
    assert.equal(valueOf(samples, 'pacerpro_logins_total', { outcome: 'throttled' }), 1);

    // Two logins reached the password check (the throttled one never did).
    assert.equal(valueOf(samples, 'pacerpro_password_hash_duration_seconds_count', { operation: 'verify' }), 2);
    assert.ok(valueOf(samples, 'pacerpro_password_hash_duration_seconds_sum', { operation: 'verify' })! > 0);
    assert.ok(valueOf(samples, 'pacerpro_db_query_duration_seconds_count', { operation: 'findUserByEmail' })! >= 2);
    assert.ok(valueOf(samples, 'pacerpro_db_query_duration_seconds_count', { operation: 'findUserById' })! >= 1);

    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.ok(
        samples.some((s) => s.name === name),
        `default metric ${name}`,
      );
    }
  } finally {
    await server.close();
  }
});

test('each app has its own registry: two apps in one process count apart', async () => {
  const [a, b] = await Promise.all([startTestServer(), startTestServer()]);
  try {
    await fetch(`${a.url}/healthz`);
    await fetch(`${a.url}/healthz`);
    await fetch(`${b.url}/healthz`);
    const healthz = { method: 'GET', route: '/healthz', status_code: '200' };
    assert.equal(valueOf(await scrape(`${a.url}/metrics`), 'http_requests_total', healthz), 2);
    assert.equal(valueOf(await scrape(`${b.url}/metrics`), 'http_requests_total', healthz), 1);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('PACERPRO_METRICS_PORT serves /metrics on its own port, and not on the API port', async () => {
  const temp = tempDir();
  const config = loadConfig({ DATABASE_URL: join(temp.dir, 'm.db'), PORT: '0', PACERPRO_METRICS_PORT: '0', LOG_LEVEL: 'silent' });
  const server = await startServer(config);
  try {
    assert.ok(server.metricsUrl);
    assert.notEqual(new URL(server.metricsUrl).port, new URL(server.url).port);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const samples = await scrape(server.metricsUrl);
    assert.equal(valueOf(samples, 'http_requests_total', { method: 'GET', route: '/healthz', status_code: '200' }), 1);
    const onApi = await fetch(`${server.url}/metrics`);
    assert.equal(onApi.status, 404);
    assert.equal(((await onApi.json()) as { code: string }).code, 'not_found');
  } finally {
    await server.close();
    temp.remove();
  }
});

test('SeriesHistogram: buckets count values up to and including their bound, cumulatively', async () => {
  const histogram = new SeriesHistogram('work_seconds', 'Time spent working.', [0.1, 1]);
  const series = histogram.series({ operation: 'x' });
  histogram.series({ operation: 'never' });
  for (const value of [0.05, 0.1, 0.5, 1, 3]) histogram.observe(series, value);
  const registry = new Registry();
  registry.registerMetric(histogram as unknown as Metric);
  registry.registerMetric(histogram.countsAsCounter('work_total', 'Work done.') as unknown as Metric);
  const text = await registry.metrics();
  assert.match(text, /# TYPE work_seconds histogram/);
  assert.match(text, /# TYPE work_total counter/);
  const samples = parsePrometheus(text);
  const x = { operation: 'x' };
  assert.equal(valueOf(samples, 'work_seconds_bucket', { ...x, le: '0.1' }), 2);
  assert.equal(valueOf(samples, 'work_seconds_bucket', { ...x, le: '1' }), 4);
  assert.equal(valueOf(samples, 'work_seconds_bucket', { ...x, le: '+Inf' }), 5);
  assert.equal(valueOf(samples, 'work_seconds_count', x), 5);
  assert.ok(Math.abs(valueOf(samples, 'work_seconds_sum', x)! - 4.65) < 1e-9);
  assert.equal(valueOf(samples, 'work_total', x), 5);
  assert.equal(valueOf(samples, 'work_total', { operation: 'never' }), 0);
  histogram.reset();
  assert.equal(valueOf(parsePrometheus(await registry.metrics()), 'work_seconds_count', x), 0);
});

test('the store timer observes every call, failed ones too, and hands back its own result or error', async () => {
  const temp = tempDir();
  const real = openSqliteStore(join(temp.dir, 'timed.db'));
  const broken = new Error('no connection');
  try {
    const metrics = createMetrics();
    // A real store, except that listUsers throws before returning a promise.
    const timed = timeStore(
      {
        ...real,
        users: {
          ...real.users,
          listUsers: () => {
            throw broken;
          },
        },
      },
      metrics,
    );
    const user = { email: 'alice@example.com', passwordHash: 'h', jti: 'j' };
    assert.equal((await timed.users.createUser(user)).email, 'alice@example.com');
    await assert.rejects(timed.users.createUser(user), (error) => error instanceof DuplicateEmailError);
    await assert.rejects(timed.users.listUsers(), (error) => error === broken);

    const samples = parsePrometheus(await metrics.registry.metrics());
    assert.equal(valueOf(samples, 'pacerpro_db_query_duration_seconds_count', { operation: 'createUser' }), 2);
    assert.equal(valueOf(samples, 'pacerpro_db_query_duration_seconds_count', { operation: 'listUsers' }), 1);
  } finally {
    await real.close();
    temp.remove();
  }
});

test('a store method timed under a new operation label, or not timed, fails: operators graph these label values', async () => {
  const temp = tempDir();
  const store = openSqliteStore(join(temp.dir, 'timed.db'));
  try {
    const metrics = createMetrics();
    const timed = timeStore(store, metrics);
    // One call into each part, and one of the whole store's own.
    assert.equal(await timed.users.findUserById(1), undefined);
    await timed.loginFailures.clearLoginFailures(['e:a@example.com']);
    assert.deepEqual(await timed.audit.listAuditEvents({ limit: 1 }), []);
    assert.equal(await timed.settings.getOrCreateJwtSecret('candidate'), 'candidate');
    await timed.ping();
    assert.equal(timed.dialect, 'sqlite');

    const samples = parsePrometheus(await metrics.registry.metrics());
    const counts = samples.filter((s) => s.name === 'pacerpro_db_query_duration_seconds_count');
    // The labels are the method names, without the part (operators graph these values): recordLoginFailure and
    // blockLogins became chargeAttempt with the login lanes, the known-clients part came with them, the
    // settings part gained the rotated secrets, and getLoginFailures went (only tests read a lane).
    assert.deepEqual(counts.map((s) => s.labels.operation).sort(), [
      'addDeviceCredential',
      'appendAuditEvents',
      'changePassword',
      'chargeAttempt',
      'clearLoginFailures',
      'createUser',
      'deleteUser',
      'findDeviceCredential',
      'findUserByEmail',
      'findUserById',
      'forgetAccountClients',
      'forgetJwtSecrets',
      'getJwtSecrets',
      'getOrCreateJwtSecret',
      'importUser',
      'isKnownAddress',
      'listAccountClients',
      'listAuditEvents',
      'listUsers',
      'ping',
      'pruneAuditEvents',
      'pruneKnownClients',
      'pruneLoginFailures',
      'recordPreviousSecretUse',
      'rememberAddress',
      'replaceJwtSecrets',
      'rotateJti',
      'setLocked',
      'touchDeviceCredential',
      'updatePasswordHash',
    ]);
    const called = ['findUserById', 'clearLoginFailures', 'listAuditEvents', 'getOrCreateJwtSecret', 'ping'];
    for (const { labels, value } of counts) assert.equal(value, called.includes(labels.operation!) ? 1 : 0, labels.operation);
  } finally {
    await store.close();
    temp.remove();
  }
});

test('the password-hash observer: one series per operation, listed from the start', async () => {
  const metrics = createMetrics();
  const observe = observerByOperation(metrics.passwordHashDuration, HASH_OPERATIONS);
  const before = parsePrometheus(await metrics.registry.metrics());
  for (const operation of ['hash', 'verify', 'verifyDummy']) {
    assert.equal(valueOf(before, 'pacerpro_password_hash_duration_seconds_count', { operation }), 0, operation);
  }
  observe('verify', 0.02);
  observe('verify', 0.03);
  observe('hash', 0.04);
  const after = parsePrometheus(await metrics.registry.metrics());
  assert.equal(valueOf(after, 'pacerpro_password_hash_duration_seconds_count', { operation: 'verify' }), 2);
  assert.ok(Math.abs(valueOf(after, 'pacerpro_password_hash_duration_seconds_sum', { operation: 'verify' })! - 0.05) < 1e-9);
  assert.equal(valueOf(after, 'pacerpro_password_hash_duration_seconds_count', { operation: 'hash' }), 1);
  assert.equal(valueOf(after, 'pacerpro_password_hash_duration_seconds_count', { operation: 'verifyDummy' }), 0);
});
