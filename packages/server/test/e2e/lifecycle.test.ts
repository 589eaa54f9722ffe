import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, startServe } from '../support/cli.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { PASSWORD, call, login, sharedHasher, startTestServer, tempDir } from '../support/harness.js';

// What must outlive a process: the generated secret, tokens, and logouts; and a clean shutdown.

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

  test('a configured secret wins over the generated one', async () => {
    const databasePath = join(temp.dir, 'configured.db');
    const generated = await startTestServer({ databasePath });
    await generated.addUser('alice@example.com');
    const token = (await login(generated.url)).json.jwtToken as string;
    await generated.close();
    const configured = await startTestServer({ databasePath, env: { PACERPRO_JWT_SECRET: 'a-configured-secret-of-more-than-32-bytes' } });
    assert.equal((await call(configured.url, 'GET', `Bearer ${token}`)).res.status, 401);
    assert.equal((await login(configured.url)).res.status, 200);
    await configured.close();
  });
});

describe('the serve process', () => {
  test('SIGTERM with a keep-alive request in flight does not wait for the 30 s connection cut: it exits within 1 s of the answer, closes the database cleanly and exits 0', async () => {
    const db = join(temp.dir, 'serve.db');
    const added = await runCli(['users', 'add', 'alice@example.com', '--password-stdin', '--database-url', db], { stdin: PASSWORD });
    assert.equal(added.code, 0, added.stderr);
    const server = await startServe(['--database-url', db]);
    const { port } = new URL(server.url);

    // Half a request is on the wire when the signal arrives; the rest follows after it.
    const body = JSON.stringify({ email: 'alice@example.com', password: PASSWORD });
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.on('connect', resolve));
    let response = '';
    let answeredAt = 0;
    socket.on('data', (d: Buffer) => {
      response += d.toString();
      answeredAt = Date.now();
    });
    socket.write(`POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the server read the headers
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write(body.slice(10));
    const code = await server.exited;
    const exitedAt = Date.now();
    socket.destroy();

    assert.match(response, /^HTTP\/1\.1 200 OK/);
    assert.match(response, /"jwtToken":"/);
    assert.ok(exitedAt - answeredAt < 1000, `exited ${exitedAt - answeredAt} ms after the answer; at most 1000 expected`);
    assert.equal(code, 0, server.output());
    assert.match(server.output(), /shut down cleanly/);
    assert.equal(existsSync(`${db}-wal`), false, 'the last connection closed and checkpointed the WAL');
    const check = new Database(db, { readonly: true });
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    check.close();
  });
});

test('a client that stops sending its request gets 408, and does not hold up a graceful shutdown', { timeout: 15_000 }, async () => {
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
