import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchPreviousSecretUse } from '../../src/auth/previous-secret-use.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { runCli } from '../support/cli.js';
import { call, startTestServer, tempDir } from '../support/harness.js';
import { signedWith, tokenOn, verificationCounts } from '../support/secret-tokens.js';

// Rotating the JWT secret logs nobody out (README, "Rotating the secret"): with PACERPRO_JWT_SECRET
// and its previous-secrets file, and with the generated secret, rotated by `pacerpro-auth secret`
// on one node and picked up by the others while they run (e2e/secret-rotation-nodes.test.ts, two
// nodes that wait out the real activation). Real sockets, real databases.

const A = 'secret-A-'.padEnd(40, 'a');
const B = 'secret-B-'.padEnd(40, 'b');

describe('rotating PACERPRO_JWT_SECRET', () => {
  test('tokens of the previous secret refresh into tokens of the current one, logout revokes both, and once it is removed they are refused', async () => {
    const temp = tempDir();
    const databasePath = join(temp.dir, 'rotate.db');
    const previousFile = join(temp.dir, 'previous');
    writeFileSync(previousFile, `${B}\n`);
    try {
      const before = await startTestServer({ databasePath, env: { PACERPRO_JWT_SECRET: B } });
      await before.addUser('alice@example.com');
      const [old, other] = [await tokenOn(before), await tokenOn(before)];
      await before.close();

      const rotated = await startTestServer({
        databasePath,
        env: { PACERPRO_JWT_SECRET: A, PACERPRO_JWT_PREVIOUS_SECRETS_FILE: previousFile },
      });
      try {
        const refreshed = await call(rotated.url, 'GET', `Bearer ${old}`);
        assert.equal(refreshed.res.status, 200, JSON.stringify(refreshed.json));
        const fresh = refreshed.json.jwtToken as string;
        assert.ok(signedWith(fresh, A) && !signedWith(fresh, B), 'the refresh moved the client to the current secret');
        assert.equal((await call(rotated.url, 'GET', `Bearer ${fresh}`)).res.status, 200);
        assert.equal(
          (
            await call(
              rotated.url,
              'GET',
              `Bearer ${createTokenService({ secret: 'x'.repeat(40), ttlSeconds: 60 }).issue({ id: 1, jti: crypto.randomUUID() }).token}`,
            )
          ).res.status,
          401,
        );
        assert.deepEqual(await verificationCounts(rotated), {
          current: 1,
          upcoming: 0,
          'previous-1': 1,
          'previous-2': 0,
          'previous-3': 0,
          none: 1,
        });

        assert.equal((await call(rotated.url, 'DELETE', `Bearer ${other}`)).res.status, 200, 'a token of the previous secret logs out');
        assert.equal((await call(rotated.url, 'GET', `Bearer ${fresh}`)).res.status, 401, "and the current secret's tokens die with it");
        const again = await tokenOn(rotated);
        assert.equal((await call(rotated.url, 'DELETE', `Bearer ${again}`)).res.status, 200);
      } finally {
        await rotated.close();
      }

      const removed = await startTestServer({ databasePath, env: { PACERPRO_JWT_SECRET: A } });
      try {
        const stale = createTokenService({ secret: B, ttlSeconds: 60 }).issue({ id: 1, jti: crypto.randomUUID() }).token;
        const { res, json } = await call(removed.url, 'GET', `Bearer ${stale}`);
        assert.deepEqual([res.status, json.code], [401, 'invalid_token'], 'the previous secret no longer verifies');
      } finally {
        await removed.close();
      }
    } finally {
      temp.remove();
    }
  });

  test('nodes that disagree on PACERPRO_JWT_SECRET refuse each other\'s tokens, and the metric counts them as secret="none"', async () => {
    const temp = tempDir();
    const databasePath = join(temp.dir, 'disagree.db');
    const a = await startTestServer({ databasePath, env: { PACERPRO_JWT_SECRET: A } });
    const b = await startTestServer({ databasePath, env: { PACERPRO_JWT_SECRET: B } });
    try {
      await a.addUser('alice@example.com');
      const { res, json } = await call(b.url, 'GET', `Bearer ${await tokenOn(a)}`);
      assert.deepEqual([res.status, json.code], [401, 'invalid_token']);
      assert.equal((await verificationCounts(b)).none, 1);
    } finally {
      await a.close();
      await b.close();
      temp.remove();
    }
  });

  test("a rolling restart onto a new PACERPRO_JWT_SECRET, the new one listed as previous first, never has a node refuse another's token", async () => {
    const temp = tempDir();
    const databasePath = join(temp.dir, 'rolling.db');
    const listing = (name: string, secret: string) => {
      const path = join(temp.dir, name);
      writeFileSync(path, `${secret}\n`);
      return path;
    };
    // README, "Rotating the secret", several nodes: step 1 gave every node B to verify; step 2 is
    // half done: a node still signs with A, one already signs with B and keeps A as previous.
    const stepOne = await startTestServer({
      databasePath,
      env: { PACERPRO_JWT_SECRET: A, PACERPRO_JWT_PREVIOUS_SECRETS_FILE: listing('upcoming', B) },
    });
    const stepTwo = await startTestServer({
      databasePath,
      env: { PACERPRO_JWT_SECRET: B, PACERPRO_JWT_PREVIOUS_SECRETS_FILE: listing('previous', A) },
    });
    try {
      await stepOne.addUser('alice@example.com');
      for (const [signer, verifier] of [
        [stepOne, stepTwo],
        [stepTwo, stepOne],
      ] as const) {
        const { res, json } = await call(verifier.url, 'GET', `Bearer ${await tokenOn(signer)}`);
        assert.equal(res.status, 200, JSON.stringify(json));
      }
    } finally {
      await stepOne.close();
      await stepTwo.close();
      temp.remove();
    }
  });

  test('a node started with PACERPRO_JWT_SECRET on a database that holds a generated secret refuses to start, until `secret forget --force`', async () => {
    const temp = tempDir();
    const databasePath = join(temp.dir, 'mixed.db');
    try {
      await (await startTestServer({ databasePath })).close(); // generates a secret
      await assert.rejects(
        startTestServer({ databasePath, env: { PACERPRO_JWT_SECRET: A } }),
        /PACERPRO_JWT_SECRET is set, but the database also holds a generated secret.*secret forget --force/,
      );
      const cli = (...args: string[]) => runCli(['secret', ...args, '--database-url', databasePath], { env: { PACERPRO_JWT_SECRET: A } });
      const rotate = await cli('rotate');
      assert.equal(rotate.code, 1);
      assert.match(rotate.stderr, /PACERPRO_JWT_SECRET is set: this command rotates only the generated secret/);
      assert.match((await cli('forget')).stderr, /run it with --force/);
      assert.equal((await cli('forget', '--force')).code, 0);
      await (await startTestServer({ databasePath, env: { PACERPRO_JWT_SECRET: A } })).close();
    } finally {
      temp.remove();
    }
  });

  test('while a previous secret verifies tokens, one warning a minute says so and the database records it for `secret retire`', async () => {
    const temp = tempDir();
    const store = openSqliteStore(join(temp.dir, 'use.db'));
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const use = watchPreviousSecretUse({ store, logger, now: () => Date.UTC(2026, 11, 3), intervalMs: 20 });
    try {
      await store.settings.getOrCreateJwtSecret(A);
      use.saw('current');
      await sleep(60);
      assert.equal(lines.length, 0, 'nothing to say while only the current secret is used');
      for (const label of ['previous-1', 'previous-1', 'previous-2'] as const) use.saw(label);
      for (let i = 0; i < 50 && lines.length === 0; i++) await sleep(10);
      await sleep(60);
      assert.equal(lines.length, 1, 'one line per interval with uses, none after');
      const line = JSON.parse(lines[0]!) as { verifications: object; msg: string };
      assert.deepEqual(line.verifications, { 'previous-1': 2, 'previous-2': 1 });
      assert.match(line.msg, /previous JWT secret were verified in the last minute/);
      assert.deepEqual((await store.settings.getJwtSecrets())?.previousUsedAt, new Date(Date.UTC(2026, 11, 3)));
    } finally {
      use.stop();
      await store.close();
      temp.remove();
    }
  });
});
