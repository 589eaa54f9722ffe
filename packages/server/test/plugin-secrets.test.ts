import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { SessionManager } from 'pacerpro-client';
import { Registry } from 'prom-client';
import { createTokenService } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { pacerproAuth, type PacerproAuthOptions } from '../src/plugin.js';
import { runCli } from './support/cli.js';
import { PASSWORD, startTestServer, tempDir, type TestServer } from './support/harness.js';
import { parsePrometheus } from './support/prometheus.js';
import { signedWith, tokenOn } from './support/secret-tokens.js';

// pacerproAuth verifies with the auth server's set of secrets, not only the one that signs: the
// previous secrets of PACERPRO_JWT_PREVIOUS_SECRETS_FILE, and the generated secret as `secret
// rotate` and `secret retire` change it while the app runs. It counts what it verified as the auth
// server does. Real sockets, a real SQLite file shared by the auth server and the app; the two-node
// PostgreSQL rotation is e2e/secret-rotation-nodes.test.ts.

const A = 'plugin-secret-A-'.padEnd(40, 'a');
const B = 'plugin-secret-B-'.padEnd(40, 'b');

/** An app with one route behind pacerproAuth, listening on a real socket. */
async function protectedApp(options: PacerproAuthOptions): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  await app.register(async (api) => {
    await api.register(pacerproAuth, options);
    api.get('/v1/matters', async (request) => ({ user: request.pacerproUser!.id }));
  });
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

const statusAt = async (url: string, token: string) =>
  (await fetch(`${url}/v1/matters`, { headers: { authorization: `Bearer ${token}` } })).status;

/** Polls `check` every 100 ms until it holds; up to 20 s, for a busy machine (the nodes poll every 2 s). */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

describe('pacerproAuth verifies with the same secrets as the auth server', () => {
  test('with PACERPRO_JWT_SECRET: a token of a previous secret in the file opens the route, and the metric counts each secret', async () => {
    const temp = tempDir();
    const previousFile = join(temp.dir, 'previous');
    writeFileSync(previousFile, `${B}\n`);
    const env = { PACERPRO_JWT_SECRET: A, PACERPRO_JWT_PREVIOUS_SECRETS_FILE: previousFile };
    const auth = await startTestServer({ env });
    const registry = new Registry();
    const matters = await protectedApp({
      store: auth.store,
      config: loadConfig({ DATABASE_URL: auth.databasePath, ...env }),
      metricsRegistry: registry,
    });
    try {
      const id = await auth.addUser('alice@example.com');
      const { jti } = (await auth.store.users.findUserById(id))!;
      const signed = (secret: string) => createTokenService({ secret, ttlSeconds: 60 }).issue({ id, jti }).token;
      assert.equal(await statusAt(matters.url, await tokenOn(auth)), 200, 'the current secret');
      assert.equal(await statusAt(matters.url, signed(B)), 200, 'the previous secret');
      assert.equal(await statusAt(matters.url, signed('c'.repeat(40))), 401, 'a secret of neither');
      const counts = Object.fromEntries(
        parsePrometheus(await registry.metrics())
          .filter((s) => s.name === 'pacerpro_jwt_verifications_total')
          .map((s) => [s.labels.secret, s.value]),
      );
      assert.deepEqual(counts, { current: 1, upcoming: 0, 'previous-1': 1, 'previous-2': 0, 'previous-3': 0, none: 1 });
    } finally {
      await matters.app.close();
      await auth.close();
      temp.remove();
    }
  });

  test('with the generated secret: `secret rotate` and `secret retire` reach a running app, and a SessionManager client never sees a 401', async () => {
    // Both clocks run 10 s ahead of the one `secret rotate` stamps: the new secret's 5 s of verifying
    // only are over when the nodes see it, so the test waits for a poll (2 s), not for the activation.
    const now = () => Date.now() + 10_000;
    const auth: TestServer = await startTestServer({ now });
    const matters = await protectedApp({ databaseUrl: auth.databasePath, now });
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
});
