import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';
import { chargedChecks } from '../support/lane-probe.js';
import { freshSchema, postgresSkip, switchableRole } from '../support/postgres.js';

// PostgreSQL that stops taking writes (a standby after a failover; here a role whose sessions are
// read-only by default): writes answer StoreUnavailableError (503), readiness is false, and both
// come back once it takes writes again. Only this test's own role is made read-only, never the
// shared database.

const skip = await postgresSkip();
const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA';

test('a read-only PostgreSQL answers StoreUnavailableError and is not ready, then writable and ready again without a restart', {
  skip,
}, async () => {
  const schema = await freshSchema();
  const role = await switchableRole(schema);
  const store = await openPostgresStore(role.url, { poolSize: 2 });
  try {
    const alice = await store.users.createUser({ email: 'alice@example.com', passwordHash: HASH, jti: randomUUID() });
    await store.ping();

    await role.readOnly(true);
    await role.endSessions(); // sessions take the role's defaults when they start
    await store.ping().catch(() => {}); // the first query after the cut finds its connection gone
    await assert.rejects(store.ping(), (error: unknown) => error instanceof StoreUnavailableError && /read-only/.test(error.message));
    await assert.rejects(store.users.rotateJti(alice.id, randomUUID()), StoreUnavailableError);
    await assert.rejects(store.loginFailures.chargeAttempt('e:victim', { maxFailures: 10 }), StoreUnavailableError);
    assert.equal((await store.users.findUserById(alice.id))?.jti, alice.jti, 'reads go on, and nothing was written');

    await role.readOnly(false);
    // Each check that meets a read-only session closes its connection: within poolSize checks every
    // stale one is gone and the store is ready again.
    for (let i = 0; i < 2; i++) await store.ping().catch(() => {});
    await store.ping();
    assert.equal(await store.users.rotateJti(alice.id, randomUUID()), true);
    assert.deepEqual(await store.loginFailures.chargeAttempt('e:victim', { maxFailures: 10 }), { charged: true });
    assert.equal(await chargedChecks(store, 'e:victim', Date.now()), 1, 'the refused charge counted nothing');
  } finally {
    await store.close();
    await schema.drop();
    await role.drop();
  }
});
