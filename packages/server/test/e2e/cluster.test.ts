import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBin, runCli, startServe } from '../support/cli.js';
import { PASSWORD, tempDir } from '../support/harness.js';

// serve --workers 2: two processes answer on one port over one SQLite file, a session started on
// one worker is refreshed and ended on the other, and SIGTERM stops them all cleanly (exit 0).

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One request on a connection of its own, so that the cluster hands each to the next worker. */
function call(url: string, method: string, { token, body }: { token?: string; body?: unknown } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: 'close' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = request(`${url}/v1/session`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the second worker');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}

test('serve --workers 2: both workers answer, one session across them, SIGTERM exits 0', {
  skip: process.platform !== 'linux' && 'reads /proc',
}, async () => {
  const temp = tempDir();
  try {
    const databaseUrl = join(temp.dir, 'cluster.db');
    const added = await runCli(['users', 'add', 'alice@example.com', '--password-stdin', '--database-url', databaseUrl], {
      stdin: `${PASSWORD}\n`,
    });
    assert.equal(added.code, 0, added.stderr);
    const server = await startServe(['--workers', '2', '--database-url', databaseUrl]);
    try {
      // startServe returns at the first worker's line; the primary hands connections only to workers that listen.
      await waitFor(() => (server.output().match(/PacerPro auth listening on/g) ?? []).length === 2);
      const logins: Answer[] = [];
      for (let i = 0; i < 4; i++) logins.push(await call(server.url, 'POST', { body: { email: 'alice@example.com', password: PASSWORD } }));
      assert.deepEqual(
        logins.map((a) => a.status),
        [200, 200, 200, 200],
      );
      const token = logins[0]!.body.jwtToken as string;
      // The next two connections go to the two workers in turn: each accepts the other's token.
      for (const answer of [await call(server.url, 'GET', { token }), await call(server.url, 'GET', { token })]) {
        assert.equal(answer.status, 200);
      }
      assert.equal((await call(server.url, 'DELETE', { token })).status, 200);
      // Revoked for both workers at once: the shared database holds the new jti.
      assert.deepEqual([(await call(server.url, 'GET', { token })).status, (await call(server.url, 'GET', { token })).status], [401, 401]);

      const workers = childPids(server.child.pid!);
      assert.equal(workers.length, 2, 'the primary forked two workers');
      // Each audit line names the process that wrote it: logins went to both workers.
      const auditPids = new Set(
        server
          .output()
          .split('\n')
          .filter((line) => line.includes('"login_succeeded"'))
          .map((line) => (JSON.parse(line) as { pid: number }).pid),
      );
      assert.deepEqual([...auditPids].sort(), [...workers].sort());
    } finally {
      server.child.kill('SIGTERM');
    }
    assert.equal(await server.exited, 0);
    assert.match(server.output(), /all workers stopped cleanly/);
  } finally {
    temp.remove();
  }
});

test('serve --workers 2 exits 1 when its workers cannot start (the port is taken)', async () => {
  const temp = tempDir();
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const result = await runBin(['serve', '--workers', '2', '--port', String(port), '--database-url', join(temp.dir, 'x.db')], {
      env: { LOG_LEVEL: 'info' },
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stdout + result.stderr,
      /is already in use by another process: stop that process, or choose another port with PORT or --port/,
    );
    assert.match(result.stdout, /a worker failed to start/);
  } finally {
    taken.close();
    temp.remove();
  }
});
