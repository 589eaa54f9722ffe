import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, startServe } from '../support/cli.js';
import { PASSWORD, tempDir } from '../support/harness.js';

// The serve process and its signals: a graceful shutdown finishes what is in flight, takes no
// longer than that, and leaves the database clean.

const temp = tempDir();
after(() => temp.remove());

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
    socket.write(
      `POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
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
