import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { createTokenService } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { startTestServer, tempDir } from './support/harness.js';
import { parsePrometheus } from './support/prometheus.js';
import { protectedApp, statusAt } from './support/protected-app.js';
import { tokenOn } from './support/secret-tokens.js';

// pacerproAuth verifies with the auth server's set of secrets, not only the one that signs: here the
// previous secrets of PACERPRO_JWT_PREVIOUS_SECRETS_FILE, counted as the auth server counts them.
// Real sockets, the auth server's store. The generated secret, rotated while the app runs (which
// waits for the app's poll), is e2e/secret-rotation-plugin.test.ts.

const A = 'plugin-secret-A-'.padEnd(40, 'a');
const B = 'plugin-secret-B-'.padEnd(40, 'b');

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
});
