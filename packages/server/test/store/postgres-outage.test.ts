import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import { errorBody } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { PASSWORD, call, login, sharedHasher } from '../support/harness.js';
import { PG_URL, freshSchema, postgresSkip, type TestSchema } from '../support/postgres.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// The database goes away under a running server: every answer is a prompt 503 with the Error body
// and Retry-After (never a hang, never a crash), and the server recovers on its own.

const skip = await postgresSkip();
if (skip) console.log(skip);

describe('PostgreSQL outage', { skip }, () => {
  let schema: TestSchema;
  let proxy: TcpProxy;
  let server: RunningServer;
  let token: string;

  before(async () => {
    schema = await freshSchema();
    const pgUrl = new URL(PG_URL);
    proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    const viaProxy = new URL(schema.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const config = loadConfig({
      DATABASE_URL: viaProxy.toString(),
      PORT: '0',
      LOG_LEVEL: 'silent',
      // Short, so a stalled network answers 503 quickly; the outcome does not depend on them.
      DATABASE_STATEMENT_TIMEOUT_MS: '300',
      DATABASE_CONNECT_TIMEOUT_MS: '300',
    });
    server = await startServer(config, createLogger('silent'));
    const hasher = await sharedHasher();
    await server.store.users.createUser({
      email: 'alice@example.com',
      passwordHash: await hasher.hash(PASSWORD),
      jti: crypto.randomUUID(),
    });
    const { res, json } = await login(server.url);
    assert.equal(res.status, 200);
    token = json.jwtToken as string;
  });

  after(async () => {
    await server?.close();
    await proxy?.close();
    await schema?.drop();
  });

  async function assertUnavailable() {
    const answers = await Promise.all([
      call(server.url, 'GET', `Bearer ${token}`),
      call(server.url, 'DELETE', `Bearer ${token}`),
      login(server.url),
      fetch(`${server.url}/readyz`).then(async (res) => ({ res, json: await res.json() })),
    ]);
    for (const { res, json } of answers) {
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.deepEqual(json, errorBody('service_unavailable'));
    }
    // The process itself is alive and says so.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  }

  /** Polls readiness until the database answers again: recovery needs no restart. */
  async function waitUntilReady() {
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await fetch(`${server.url}/readyz`)).status === 200) return;
      await sleep(50);
    }
    assert.fail('the server did not become ready again after the database came back');
  }

  it('answers 503 with Retry-After while the database refuses connections, then recovers by itself', async () => {
    proxy.cut();
    await assertUnavailable();
    proxy.restore();
    await waitUntilReady();
    assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 200);
  });

  it('answers 503 instead of hanging while the network swallows everything, then recovers by itself', async () => {
    assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 200); // pooled connections exist
    proxy.stall();
    await assertUnavailable();
    proxy.restore();
    await waitUntilReady();
    assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 200);
    assert.equal((await call(server.url, 'DELETE', `Bearer ${token}`)).res.status, 200);
    assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 401);
  });
});
