import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { LOCKED, OPEN, lockedUntil } from '../../src/auth/user-lock.js';
import type { Store } from '../../src/store/store.js';
import { DuplicateEmailError } from '../../src/store/store-errors.js';
import type { User } from '../../src/store/users.js';
import { chargedChecks } from './lane-probe.js';

// One behaviour, two databases: every Store implementation must pass these tests unchanged, one block
// per part of the store (users, login failures, audit, settings), then opening and closing the whole.

export interface TestDatabase {
  /** A store on this database; several may be open at once, like several nodes. */
  open(now?: () => number): Promise<Store>;
  destroy(): Promise<void>;
}

export interface ConformanceOptions {
  /** A new, empty database for each test. */
  readonly createDatabase: () => Promise<TestDatabase>;
  readonly skip?: string | false;
}

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA';
const T0 = Date.parse('2026-01-02T03:04:05.678Z');

export function storeConformance(name: string, { createDatabase, skip = false }: ConformanceOptions): void {
  /** Runs `test` on a fresh database and a store over it; the clock reads `clock.now`. */
  async function withStore(test: (store: Store, db: TestDatabase, clock: { now: number }) => Promise<void>) {
    const db = await createDatabase();
    const clock = { now: T0 };
    const store = await db.open(() => clock.now);
    try {
      await test(store, db, clock);
    } finally {
      await store.close();
      await db.destroy();
    }
  }
  const newUser = (email: string) => ({ email, passwordHash: HASH, jti: randomUUID() });

  describe(`Store conformance: ${name}`, { skip }, () => {
    describe('users', () => {
      it('creates users with ids from 1 and finds them by id and by e-mail, trimmed and case-insensitive', () =>
        withStore(async (store) => {
          const jti = randomUUID();
          const alice = await store.users.createUser({ email: '  Alice@Example.com ', passwordHash: HASH, jti });
          const bob = await store.users.createUser(newUser('bob@example.com'));
          assert.equal(store.dialect, name);
          assert.deepEqual([alice.id, bob.id], [1, 2]);
          assert.deepEqual(alice, {
            id: 1,
            email: 'Alice@Example.com',
            passwordHash: HASH,
            jti,
            jtiIssuedAt: new Date(T0),
            lock: { kind: 'open' },
            createdAt: new Date(T0),
            updatedAt: new Date(T0),
          });
          assert.deepEqual(await store.users.findUserByEmail('alice@EXAMPLE.com'), alice);
          assert.deepEqual(await store.users.findUserById(1), alice);
          assert.equal(await store.users.findUserByEmail('carol@example.com'), undefined);
          assert.equal(await store.users.findUserById(99), undefined);
          assert.deepEqual(
            (await store.users.listUsers()).map((u) => u.id),
            [1, 2],
          );
        }));

      it('look-ups by id made together each get their own user, repeated and missing ids included, as last written', () =>
        withStore(async (store) => {
          const users = await Promise.all(['a', 'b', 'c'].map((n) => store.users.createUser(newUser(`${n}@example.com`))));
          const [a, b, c] = users as [User, User, User];
          const jti = randomUUID();
          await store.users.rotateJti(b.id, jti);
          // Asked for in one turn of the event loop: one batch where the store batches.
          const found = await Promise.all([c.id, a.id, 99, b.id, a.id].map((id) => store.users.findUserById(id)));
          assert.deepEqual(
            found.map((u) => u?.email),
            ['c@example.com', 'a@example.com', undefined, 'b@example.com', 'a@example.com'],
          );
          assert.equal(found[3]!.jti, jti);
          assert.deepEqual(found[1], await store.users.findUserByEmail('a@example.com'));
        }));

      it('jti rotations asked for together each apply to their own user; an unknown id changes nothing', () =>
        withStore(async (store) => {
          const [a, b] = (await Promise.all(['a', 'b'].map((n) => store.users.createUser(newUser(`${n}@example.com`))))) as [User, User];
          const [forA, forB] = [randomUUID(), randomUUID()];
          const changed = await Promise.all([
            store.users.rotateJti(a.id, forA),
            store.users.rotateJti(99, randomUUID()),
            store.users.rotateJti(b.id, forB),
          ]);
          assert.deepEqual(changed, [true, false, true]);
          assert.equal((await store.users.findUserById(a.id))!.jti, forA);
          assert.equal((await store.users.findUserById(b.id))!.jti, forB);
        }));

      it('refuses a second user with the same e-mail, also when created concurrently', () =>
        withStore(async (store) => {
          await store.users.createUser(newUser('alice@example.com'));
          await assert.rejects(store.users.createUser(newUser('ALICE@example.com ')), DuplicateEmailError);
          const results = await Promise.allSettled(Array.from({ length: 5 }, () => store.users.createUser(newUser('bob@example.com'))));
          assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
          for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof DuplicateEmailError, String(r.reason));
        }));

      it('never reuses the id of a deleted user', () =>
        withStore(async (store) => {
          await store.users.createUser(newUser('a@example.com'));
          const b = await store.users.createUser(newUser('b@example.com'));
          assert.equal(await store.users.deleteUser(b.id), true);
          assert.equal(await store.users.deleteUser(b.id), false);
          assert.equal((await store.users.createUser(newUser('c@example.com'))).id, 3);
        }));

      it('updates the hash, the password with the jti, the lock and the jti, stamping updatedAt', () =>
        withStore(async (store, _db, clock) => {
          const user = await store.users.createUser(newUser('alice@example.com'));
          clock.now = T0 + 1000;
          assert.equal(await store.users.updatePasswordHash(user.id, 'rehashed'), true);
          let now = (await store.users.findUserById(user.id))!;
          assert.deepEqual([now.passwordHash, now.jti, now.updatedAt], ['rehashed', user.jti, new Date(T0 + 1000)]);

          clock.now = T0 + 2000;
          const jti = randomUUID();
          assert.equal(await store.users.changePassword(user.id, 'changed', jti), true);
          now = (await store.users.findUserById(user.id))!;
          assert.deepEqual([now.passwordHash, now.jti, now.jtiIssuedAt], ['changed', jti, new Date(T0 + 2000)]);

          assert.equal(await store.users.setLocked(user.id, true), true);
          assert.deepEqual((await store.users.findUserById(user.id))!.lock, { kind: 'locked' });
          assert.equal(await store.users.setLocked(user.id, false), true);
          assert.deepEqual((await store.users.findUserById(user.id))!.lock, { kind: 'open' });

          clock.now = T0 + 3000;
          const rotated = randomUUID();
          assert.equal(await store.users.rotateJti(user.id, rotated), true);
          now = (await store.users.findUserById(user.id))!;
          assert.deepEqual(
            [now.jti, now.jtiIssuedAt, now.updatedAt, now.createdAt],
            [rotated, new Date(T0 + 3000), new Date(T0 + 3000), new Date(T0)],
          );

          for (const missing of [
            store.users.updatePasswordHash(99, 'x'),
            store.users.changePassword(99, 'x', randomUUID()),
            store.users.setLocked(99, true),
            store.users.rotateJti(99, randomUUID()),
          ]) {
            assert.equal(await missing, false);
          }
        }));

      it('a logout on one store is seen at once by another store on the same database', () =>
        withStore(async (store, db) => {
          const other = await db.open();
          try {
            const user = await store.users.createUser(newUser('alice@example.com'));
            assert.equal((await other.users.findUserById(user.id))!.jti, user.jti);
            const jti = randomUUID();
            await other.users.rotateJti(user.id, jti);
            assert.equal((await store.users.findUserById(user.id))!.jti, jti);
          } finally {
            await other.close();
          }
        }));

      it('keeps a lock that ends, with its end; an operator lock or unlock replaces it', () =>
        withStore(async (store) => {
          const until = new Date(T0 + 3_600_000);
          const imported = {
            id: 51,
            email: 'timed@example.com',
            passwordHash: '$2a$12$bcrypt',
            jti: randomUUID(),
            lock: lockedUntil(until),
          };
          assert.equal(await store.users.importUser(imported), true);
          assert.deepEqual((await store.users.findUserById(51))!.lock, { kind: 'until', until });
          assert.deepEqual((await store.users.findUserByEmail('timed@example.com'))!.lock, { kind: 'until', until });
          assert.equal(await store.users.setLocked(51, true), true);
          assert.deepEqual((await store.users.findUserById(51))!.lock, LOCKED);
          assert.equal(await store.users.importUser({ ...imported, id: 52, email: 'timed2@example.com' }), true);
          assert.equal(await store.users.setLocked(52, false), true);
          assert.deepEqual((await store.users.findUserById(52))!.lock, OPEN);
        }));

      it('imports a user with its own id and jti; later ids continue above it; nothing is overwritten', () =>
        withStore(async (store) => {
          const imported = { id: 41, email: 'Dev@Example.com', passwordHash: '$2a$12$bcrypt', jti: randomUUID(), lock: LOCKED };
          assert.equal(await store.users.importUser(imported), true);
          const found = (await store.users.findUserByEmail('dev@example.com'))!;
          assert.deepEqual(
            [found.id, found.email, found.passwordHash, found.jti, found.lock, found.jtiIssuedAt],
            [41, 'Dev@Example.com', '$2a$12$bcrypt', imported.jti, LOCKED, new Date(T0)],
          );
          assert.equal(await store.users.importUser({ ...imported, id: 7, email: 'low@example.com' }), true);
          assert.equal((await store.users.createUser(newUser('new@example.com'))).id, 42);

          // Taken id, taken e-mail: false, and the row stays as it was.
          assert.equal(await store.users.importUser({ ...imported, passwordHash: 'other', jti: randomUUID() }), false);
          assert.equal(await store.users.importUser({ ...imported, id: 50 }), false);
          assert.deepEqual(await store.users.findUserById(41), found);
          assert.equal(await store.users.findUserById(50), undefined);
          assert.equal((await store.users.createUser(newUser('next@example.com'))).id, 51);
        }));

      it('never lowers the id sequence on import', () =>
        withStore(async (store) => {
          for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) await store.users.createUser(newUser(email));
          await store.users.deleteUser(3);
          const user = (id: number, email: string) => ({ id, email, passwordHash: HASH, jti: randomUUID(), lock: OPEN });
          assert.equal(await store.users.importUser(user(2, 'x@example.com')), false);
          assert.equal(await store.users.importUser(user(3, 'y@example.com')), true); // an explicit id may be a freed one
          assert.equal((await store.users.createUser(newUser('d@example.com'))).id, 4);
        }));
    });

    describe('login failures', () => {
      const policy = { maxFailures: 4 }; // blocks of 1 s after the 4th check, 2 s after the 5th …

      it('charges checks from two nodes at once to one lane with none lost, and then no more than the policy allows', () =>
        withStore(async (store, db, clock) => {
          const other = await db.open(() => clock.now);
          try {
            const charges = await Promise.all(
              [...Array(10)].map((_, i) => (i % 2 ? store : other).loginFailures.chargeAttempt('e:a@example.com', policy)),
            );
            assert.equal(charges.filter((c) => c.charged).length, 4, 'the 4th charge starts the block; the 6 after it are refused');
            for (const refused of charges.filter((c) => !c.charged))
              assert.deepEqual(refused, { charged: false, blockedUntil: new Date(T0 + 1000) });
          } finally {
            await other.close();
          }
          clock.now = T0 + 1000;
          assert.equal(await chargedChecks(store, 'e:a@example.com', clock.now), 4);
        }));

      it('lets one check through when a block ends and doubles the next block; clears lanes by key', () =>
        withStore(async (store, _db, clock) => {
          for (let i = 0; i < 4; i++) await store.loginFailures.chargeAttempt('e:a@example.com', policy);
          await store.loginFailures.chargeAttempt('e:b@example.com', policy);
          clock.now = T0 + 1000; // the 1 s block has ended
          assert.deepEqual(await store.loginFailures.chargeAttempt('e:a@example.com', policy), { charged: true });
          assert.deepEqual(await store.loginFailures.chargeAttempt('e:a@example.com', policy), {
            charged: false,
            blockedUntil: new Date(T0 + 3000),
          });
          clock.now = T0 + 3000;
          assert.equal(await chargedChecks(store, 'e:c@example.com', clock.now), 0, 'the probe reads an untouched lane as 0');
          assert.equal(await chargedChecks(store, 'e:b@example.com', clock.now), 1, 'and a charged one by its count');
          await store.loginFailures.clearLoginFailures(['e:a@example.com', 'e:b@example.com', 'e:never@example.com']);
          assert.equal(await chargedChecks(store, 'e:a@example.com', clock.now), 0);
          assert.equal(await chargedChecks(store, 'e:b@example.com', clock.now), 0);
        }));

      it('prunes stale lanes, keeps blocked ones, and bounds the table, unblocked rows first', () =>
        withStore(async (store, _db, clock) => {
          const block = { maxFailures: 1, baseDelayMs: 3_600_000, maxDelayMs: 3_600_000 };
          await store.loginFailures.chargeAttempt('e:old@example.com', policy);
          await store.loginFailures.chargeAttempt('e:blocked@example.com', block);
          clock.now = T0 + 60_000;
          for (const email of ['n1@example.com', 'n2@example.com', 'n3@example.com'])
            await store.loginFailures.chargeAttempt(`e:${email}`, policy);
          assert.equal(await store.loginFailures.pruneLoginFailures(new Date(T0 + 1), 1000), 1, 'only the stale unblocked row goes');
          assert.equal(await store.loginFailures.pruneLoginFailures(new Date(0), 2), 2, 'the oldest unblocked rows go first');
          // Read last: each probe writes its lane.
          assert.equal(await chargedChecks(store, 'e:old@example.com', clock.now), 0);
          assert.equal(await chargedChecks(store, 'e:blocked@example.com', clock.now), 'blocked', 'kept, and still blocked');
          assert.equal(await chargedChecks(store, 'e:n3@example.com', clock.now), 1);
        }));
    });

    describe('known clients', () => {
      it('keeps device credentials by id for their account, the most recently used 3 of them, and touches them', () =>
        withStore(async (store, _db, clock) => {
          const { id } = await store.users.createUser(newUser('a@example.com'));
          for (const [i, device] of ['d1', 'd2', 'd3', 'd4'].entries()) {
            clock.now = T0 + i * 1000;
            await store.knownClients.addDeviceCredential(device, id, 3);
          }
          assert.equal(await store.knownClients.findDeviceCredential('d1'), undefined, 'the least recently used went');
          assert.deepEqual(await store.knownClients.findDeviceCredential('d2'), { userId: id, lastUsedAt: new Date(T0 + 1000) });
          clock.now = T0 + 9000;
          await store.knownClients.touchDeviceCredential('d2');
          assert.deepEqual(await store.knownClients.findDeviceCredential('d2'), { userId: id, lastUsedAt: new Date(T0 + 9000) });
          clock.now = T0 + 10_000;
          await store.knownClients.addDeviceCredential('d5', id, 3);
          assert.deepEqual((await store.knownClients.listAccountClients(id)).deviceIds, ['d2', 'd4', 'd5'], 'd3 was used least recently');
        }));

      it('knows the addresses an account logged in from since a time, the 2 most recent, and forgets them with its devices', () =>
        withStore(async (store, _db, clock) => {
          const a = await store.users.createUser(newUser('a@example.com'));
          const b = await store.users.createUser(newUser('b@example.com'));
          await store.knownClients.rememberAddress(a.id, '192.0.2.1', 2);
          clock.now = T0 + 1000;
          await store.knownClients.rememberAddress(a.id, '2001:db8:0:1::/64', 2);
          await store.knownClients.rememberAddress(b.id, '192.0.2.9', 2);
          assert.equal(await store.knownClients.isKnownAddress(a.id, '192.0.2.1', new Date(T0)), true);
          assert.equal(await store.knownClients.isKnownAddress(a.id, '192.0.2.1', new Date(T0 + 1)), false, 'not since then');
          assert.equal(await store.knownClients.isKnownAddress(a.id, '192.0.2.9', new Date(0)), false, "another account's address");
          clock.now = T0 + 2000;
          await store.knownClients.rememberAddress(a.id, '192.0.2.2', 2);
          await store.knownClients.rememberAddress(a.id, '192.0.2.2', 2); // again: still one row
          await store.knownClients.addDeviceCredential('da', a.id, 20);
          assert.deepEqual(await store.knownClients.listAccountClients(a.id), {
            addresses: ['192.0.2.2', '2001:db8:0:1::/64'],
            deviceIds: ['da'],
          });
          await store.knownClients.forgetAccountClients(a.id);
          assert.deepEqual(await store.knownClients.listAccountClients(a.id), { addresses: [], deviceIds: [] });
          assert.equal(await store.knownClients.isKnownAddress(b.id, '192.0.2.9', new Date(0)), true, "b's address stays");
        }));

      it('prunes addresses and credentials unused since their cut-offs, and deletes them with the account', () =>
        withStore(async (store, _db, clock) => {
          const a = await store.users.createUser(newUser('a@example.com'));
          const b = await store.users.createUser(newUser('b@example.com'));
          await store.knownClients.rememberAddress(a.id, '192.0.2.1', 10);
          await store.knownClients.addDeviceCredential('old', a.id, 20);
          clock.now = T0 + 5000;
          await store.knownClients.rememberAddress(a.id, '192.0.2.2', 10);
          await store.knownClients.addDeviceCredential('new', a.id, 20);
          await store.knownClients.addDeviceCredential('other', b.id, 20);
          assert.equal(await store.knownClients.pruneKnownClients(new Date(T0 + 1), new Date(T0 + 1)), 2);
          assert.deepEqual(await store.knownClients.listAccountClients(a.id), { addresses: ['192.0.2.2'], deviceIds: ['new'] });
          await store.users.deleteUser(b.id);
          assert.equal(await store.knownClients.findDeviceCredential('other'), undefined);
        }));
    });

    describe('audit', () => {
      it('appends audit events in a batch, lists the newest by user or e-mail since a time, and prunes', () =>
        withStore(async (store) => {
          const at = (s: number) => new Date(T0 + s * 1000);
          const login = {
            at: at(2),
            event: 'login_succeeded',
            userId: 1,
            email: 'alice@example.com',
            ip: '203.0.113.9',
            userAgent: 'curl/8',
            requestId: 'r2',
            lane: 'known_address',
          } as const;
          await store.audit.appendAuditEvents([
            { at: at(1), event: 'login_failed', email: 'alice@example.com', ip: '203.0.113.9', userAgent: 'curl/8', requestId: 'r1' },
            login,
            { at: at(3), event: 'session_refreshed', userId: 1, requestId: 'r3' },
            { at: at(4), event: 'login_failed', email: 'bob@example.com' },
            { at: at(5), event: 'logged_out', userId: 1 },
          ]);
          await store.audit.appendAuditEvents([]);
          const all = await store.audit.listAuditEvents({ limit: 100 });
          assert.deepEqual(
            all.map((e) => e.event),
            ['login_failed', 'login_succeeded', 'session_refreshed', 'login_failed', 'logged_out'],
          );
          assert.deepEqual(all[1], login, 'every field comes back as it was written');
          const alice = await store.audit.listAuditEvents({ userId: 1, email: 'alice@example.com', limit: 100 });
          assert.deepEqual(
            alice.map((e) => e.requestId ?? e.event),
            ['r1', 'r2', 'r3', 'logged_out'],
          );
          assert.deepEqual(
            (await store.audit.listAuditEvents({ since: at(3), limit: 100 })).map((e) => e.event),
            ['session_refreshed', 'login_failed', 'logged_out'],
          );
          assert.deepEqual(
            (await store.audit.listAuditEvents({ limit: 2 })).map((e) => e.event),
            ['login_failed', 'logged_out'],
            'the newest two, oldest first',
          );
          assert.equal(await store.audit.pruneAuditEvents(at(3)), 2);
          assert.equal((await store.audit.listAuditEvents({ limit: 100 })).length, 3);
        }));
    });

    describe('settings', () => {
      it('keeps one JWT secret: the first candidate wins, also between stores starting together', () =>
        withStore(async (store, db) => {
          const others = await Promise.all([db.open(), db.open()]);
          try {
            const secrets = await Promise.all([store, ...others].map((s, i) => s.settings.getOrCreateJwtSecret(`candidate-${i}`)));
            assert.equal(new Set(secrets).size, 1);
            assert.equal(await store.settings.getOrCreateJwtSecret('late'), secrets[0]);
          } finally {
            await Promise.all(others.map((s) => s.close()));
          }
        }));
    });

    describe('opening and closing', () => {
      it('keeps its data across a reopen, and several stores opening a new database at once all work', async () => {
        const db = await createDatabase();
        try {
          const stores = await Promise.all([db.open(), db.open(), db.open()]);
          await stores[0]!.users.createUser(newUser('alice@example.com'));
          await Promise.all(stores.map((s) => s.ping()));
          await Promise.all(stores.map((s) => s.close()));
          const reopened = await db.open();
          assert.equal((await reopened.users.findUserByEmail('alice@example.com'))!.id, 1);
          await reopened.close();
        } finally {
          await db.destroy();
        }
      });
    });
  });
}
