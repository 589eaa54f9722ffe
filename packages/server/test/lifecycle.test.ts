import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { call, login, sharedHasher, startTestServer, tempDir } from './support/harness.js';

// What must outlive a restart (the generated secret, tokens, logouts), and a shutdown that a stalled
// client cannot hold open. The serve process's signals are tested in e2e/signals.test.ts.

const temp = tempDir();
after(() => temp.remove());

describe('restarts', () => {
  test('the generated secret is kept: tokens survive a restart, and so does a logout', async () => {
    const databasePath = join(temp.dir, 'restart.db');
    const first = await startTestServer({ databasePath });
    await first.addUser('alice@example.com');
    const kept = (await login(first.url)).json.jwtToken as string;
    const revoked = (await login(first.url)).json.jwtToken as string;
    await first.close();

    const second = await startTestServer({ databasePath });
    const refreshed = await call(second.url, 'GET', `Bearer ${kept}`);
    assert.equal(refreshed.res.status, 200, 'a token from before the restart still refreshes');
    assert.equal((await call(second.url, 'DELETE', `Bearer ${revoked}`)).res.status, 200);
    await second.close();

    const third = await startTestServer({ databasePath });
    for (const token of [kept, revoked, refreshed.json.jwtToken as string]) {
      assert.equal((await call(third.url, 'GET', `Bearer ${token}`)).res.status, 401, 'the logout outlived the restart');
    }
    assert.equal((await login(third.url)).res.status, 200);
    await third.close();
  });

  test('a configured secret on a database that holds a generated one stops start-up instead of refusing the tokens it signed', async () => {
    const databasePath = join(temp.dir, 'configured.db');
    await (await startTestServer({ databasePath })).close();
    await assert.rejects(
      startTestServer({ databasePath, env: { PACERPRO_JWT_SECRET: 'a-configured-secret-of-more-than-32-bytes' } }),
      /PACERPRO_JWT_SECRET is set, but the database also holds a generated secret/,
    );
  });
});

test('a client that stalls mid-request gets the 408 Error body, and a stalled request cannot hold a graceful shutdown open', {
  timeout: 15_000,
}, async () => {
  const temp = tempDir();
  const config = loadConfig({ DATABASE_URL: join(temp.dir, 'timeout.db'), LOG_LEVEL: 'silent' });
  const store = openSqliteStore(config.databaseUrl);
  const app = await buildApp(config, { store, passwords: await sharedHasher(), requestTimeoutMs: 500 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  // Headers, then 2 of the 100 body bytes promised, then silence.
  const stalled = () => {
    const socket = connect(port, '127.0.0.1');
    socket.write('POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (error) => (answer += `[${error.message}]`));
    return new Promise<string>((resolve) => socket.on('close', () => resolve(answer)));
  };
  const timedOut = await stalled();
  assert.match(timedOut, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(timedOut, /"code":"request_timeout"/);
  const received = once(app.server, 'request');
  const another = stalled();
  await received; // its headers are in: a request in flight
  await app.close(); // resolves once the stalled connection is cut, requestTimeout after close began
  assert.equal(await another, '');
  await store.close();
  temp.remove();
});
