import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionManager } from 'pacerpro-client';
import { runCli } from '../support/cli.js';
import { PASSWORD, startTestServer, type TestServer } from '../support/harness.js';
import { protectedApp, statusAt } from '../support/protected-app.js';
import { signedWith } from '../support/secret-tokens.js';

// The generated secret rotated while an app behind pacerproAuth runs on the auth server's SQLite
// file: the app picks `secret rotate` and `secret retire` up by itself, as every node does, and a
// client driven by the SDK's SessionManager goes through it without a 401. It waits out the real
// 5 s activation and 2 s poll, so it lives here with the other tests that wait on real polls; the two-node PostgreSQL
// rotation is secret-rotation-nodes.test.ts, the plugin's previous secrets from the file are
// plugin-secrets.test.ts.

/** Polls `check` every 100 ms until it holds; up to 20 s, for a busy machine (the nodes poll every 2 s). */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

test('the generated secret: `secret rotate` and `secret retire` reach a running pacerproAuth app on SQLite, and a SessionManager client never sees a 401', async () => {
  // Real clocks: the new secret only verifies for its first 5 s, longer than a poll, so the app knows
  // it before the auth server signs with it. (Clocks set past the activation let the auth server
  // sign before the app had polled: the app refused those tokens.)
  const auth: TestServer = await startTestServer();
  const matters = await protectedApp({ databaseUrl: auth.databasePath });
  const secret = (...args: string[]) => runCli(['secret', ...args, '--database-url', auth.databasePath]);
  // Every answer the client's requests get, whichever call made them.
  const statuses: number[] = [];
  const manager = new SessionManager({
    configuration: {
      basePath: `${auth.url}/v1`,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        return res;
      },
    },
    credentials: { email: 'alice@example.com', password: PASSWORD },
  });
  const logins: string[] = [];
  manager.onChange(({ reason }) => logins.push(reason));
  /** The client refreshes, as its manager does, and uses its token on the app. */
  const useToken = async () => {
    const token = (await manager.refresh()).jwtToken;
    statuses.push(await statusAt(matters.url, token));
    return token;
  };
  try {
    await auth.addUser('alice@example.com');
    const before = (await auth.store.settings.getJwtSecrets())!.current;
    const old = await useToken();
    const rotated = await secret('rotate');
    assert.equal(rotated.code, 0, rotated.stderr);
    const after = (await auth.store.settings.getJwtSecrets())!.current;
    assert.ok(
      await eventually(async () => signedWith(await useToken(), after)),
      'the auth server signs with the rotated secret without a restart',
    );
    assert.ok(signedWith(old, before) && !signedWith(old, after));
    assert.equal(await statusAt(matters.url, old), 200, "the app still takes the old secret's token");

    const retired = await secret('retire', '--force');
    assert.equal(retired.code, 0, retired.stderr);
    assert.ok(await eventually(async () => (await statusAt(matters.url, old)) === 401), 'once retired, the app refuses it');
    await useToken();
    assert.deepEqual([...new Set(statuses)], [200], 'no request of the client was refused through the rotation');
    assert.deepEqual(logins, ['login', ...Array(logins.length - 1).fill('refresh')], 'and it never had to log in again');
  } finally {
    await matters.app.close();
    await auth.close();
  }
});
