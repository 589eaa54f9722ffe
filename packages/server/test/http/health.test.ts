import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer } from '../support/harness.js';

// /healthz: the process answers. /readyz: the database answers with its migrations in place,
// 503 (with Retry-After and the Error body) otherwise. Both JSON, both cheap enough to poll.

test('/healthz and /readyz answer JSON; /readyz turns 503 when the database stops answering', async () => {
  const server = await startTestServer();
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.match(health.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await health.json(), { status: 'ok' });

    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', database: 'sqlite' });

    // A burst of polls, as a load balancer checking every second for a while would send.
    const polls = await Promise.all(Array.from({ length: 50 }, () => fetch(`${server.url}/readyz`).then((r) => r.status)));
    assert.deepEqual(new Set(polls), new Set([200]));

    await server.store.close();
    const down = await fetch(`${server.url}/readyz`);
    assert.equal(down.status, 503);
    assert.equal(down.headers.get('retry-after'), '1');
    const body = (await down.json()) as Record<string, unknown>;
    assert.equal(body.code, 'service_unavailable');
    assert.equal(body.status, 503);
    // The process itself is still up.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
  }
});

test('/readyz answers 503 while the schema is behind the migrations this server ships', async () => {
  const server = await startTestServer();
  try {
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    const db = new Database(server.databasePath);
    db.prepare('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)').run();
    db.close();
    const behind = await fetch(`${server.url}/readyz`);
    assert.equal(behind.status, 503);
    assert.equal(behind.headers.get('retry-after'), '1');
  } finally {
    await server.close();
  }
});
