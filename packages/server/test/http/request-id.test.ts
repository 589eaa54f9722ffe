import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { sharedHasher, startTestServer, tempDir } from '../support/harness.js';

// X-Request-Id: a caller's id is kept when it is short and plain, replaced by a UUID otherwise,
// echoed on every answer (errors included), and on every log line of its request.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('a plain X-Request-Id is echoed; none, or a bad one, gets a fresh UUID', async () => {
  const server = await startTestServer();
  try {
    const idOf = async (path: string, requestId?: string) => {
      const res = await fetch(`${server.url}${path}`, requestId === undefined ? {} : { headers: { 'x-request-id': requestId } });
      await res.arrayBuffer();
      return res.headers.get('x-request-id');
    };
    for (const kept of ['abc', 'req-42.a_b:c', 'A'.repeat(128), '0f1e2d3c-4b5a-4968-8776-655443322110']) {
      assert.equal(await idOf('/healthz', kept), kept);
    }
    for (const replaced of ['A'.repeat(129), 'has space', 'semi;colon', '"quoted"', 'é', '']) {
      const id = await idOf('/healthz', replaced);
      assert.match(id ?? '', UUID, `${JSON.stringify(replaced)} was replaced`);
    }
    const first = await idOf('/healthz');
    const second = await idOf('/healthz');
    assert.match(first ?? '', UUID);
    assert.notEqual(first, second);
    // Errors carry it too: 401, 404, and 413 (refused before any route runs).
    assert.equal(await idOf('/v1/session', 'on-401'), 'on-401');
    assert.equal(await idOf('/nowhere', 'on-404'), 'on-404');
    const big = await fetch(`${server.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'on-413' },
      body: JSON.stringify({ email: 'x'.repeat(100_000) }),
    });
    assert.equal(big.status, 413);
    assert.equal(big.headers.get('x-request-id'), 'on-413');
  } finally {
    await server.close();
  }
});

test('every log line of a request carries its id', async () => {
  const temp = tempDir();
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    'trace',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  const store = openSqliteStore(`${temp.dir}/ids.db`);
  const config = loadConfig({ DATABASE_URL: `${temp.dir}/ids.db`, LOG_LEVEL: 'trace' });
  const app = await buildApp(config, { store, passwords: await sharedHasher(), logger });
  app.get('/boom', async (request) => {
    request.log.info('about to fail');
    throw new Error('unexpected');
  });
  await app.ready();
  const before = lines.length;
  let requestLines: Array<Record<string, unknown>>;
  try {
    const json = { 'content-type': 'application/json' };
    await app.inject({
      method: 'POST',
      url: '/v1/session',
      headers: { ...json, 'x-request-id': 'login-1' },
      payload: { email: 'nobody@example.com', password: 'wrong password' },
    });
    await app.inject({
      method: 'GET',
      url: '/v1/session',
      headers: { ...json, 'x-request-id': 'refresh-1', authorization: 'Bearer a.b.c' },
    });
    await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'boom-1' } });
    requestLines = lines.slice(before);
  } finally {
    await app.close();
    await store.close();
    temp.remove();
  }
  assert.ok(requestLines.length >= 6, 'each request logged at least its start and its end');
  // Request lines carry it as reqId; audit lines as audit.requestId.
  const idOf = (line: Record<string, unknown>) => (line.reqId ?? (line.audit as { requestId?: string } | undefined)?.requestId) as string;
  for (const line of requestLines)
    assert.ok(['login-1', 'refresh-1', 'boom-1'].includes(idOf(line)), `no request id on ${JSON.stringify(line)}`);
  for (const id of ['login-1', 'refresh-1', 'boom-1']) {
    assert.ok(requestLines.filter((line) => line.reqId === id).length >= 2, `${id} has its start and end lines`);
  }
  assert.ok(
    requestLines.some((line) => idOf(line) === 'login-1' && line.audit !== undefined),
    'the failed login is audited with its id',
  );
  assert.ok(requestLines.some((line) => line.reqId === 'boom-1' && line.msg === 'about to fail'));
  assert.ok(
    requestLines.some((line) => line.reqId === 'boom-1' && line.level === 50),
    'the 500 is logged with the id',
  );
});
