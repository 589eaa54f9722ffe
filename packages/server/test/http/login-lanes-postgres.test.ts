import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { PasswordHasher } from '../../src/auth/passwords.js';
import { PASSWORD, login, startTestServer } from '../support/harness.js';
import { blockUnknownLane, loginFrom } from '../support/login-from.js';
import { adminQuery, freshSchema, postgresSkip, switchableRole } from '../support/postgres.js';

// The shared parts of login throttling on the real PostgreSQL: the lanes and the clients an
// account knows are the database's, so an attacker on one node never keeps the owner out on
// another; two nodes give no more password checks than one; and a failure that cannot be recorded
// is never checked. The rest of the lanes' behaviour is tested once, on SQLite (login-lanes.test.ts).

const skip = await postgresSkip();
if (skip) console.log(skip);

/** One counter over every node's hasher: the password checks that really ran. */
function checkCounter() {
  const counter = {
    checks: 0,
    wrap: (h: PasswordHasher): PasswordHasher => ({
      ...h,
      verify: (a, b) => (counter.checks++, h.verify(a, b)),
      verifyDummy: (p) => (counter.checks++, h.verifyDummy(p)),
    }),
  };
  return counter;
}

describe('login throttling on PostgreSQL', { skip }, () => {
  test('strangers guessing on one node at Retry-After pace and faster never stop the owner on the other, from an address it used or with its device credential', async () => {
    const schema = await freshSchema();
    let nowMs = Date.UTC(2026, 11, 3, 9);
    const env = { PACERPRO_LOGIN_MAX_FAILURES: '3', PACERPRO_JWT_SECRET: randomBytes(32).toString('hex') };
    const a = await startTestServer({ postgresUrl: schema.url, env, now: () => nowMs });
    const b = await startTestServer({ postgresUrl: schema.url, env, now: () => nowMs });
    const owner = 'owner@example.com';
    try {
      await a.addUser(owner);
      // Node a learns the owner's address and issues its device credential; node b must know both.
      const first = await loginFrom(a, '127.0.0.10', owner, PASSWORD);
      assert.equal(first.status, 200);
      for (let round = 0; round < 3; round++) {
        const attacker = `127.0.0.${70 + round}`;
        const blocked = await blockUnknownLane([a, b], owner, attacker);
        // Faster than Retry-After, and on the other node: the block is the database's, not a node's.
        assert.equal((await loginFrom(b, `127.0.0.${80 + round}`, owner, 'guess')).status, 429);
        assert.equal(
          (await loginFrom(b, attacker, owner, PASSWORD)).status,
          429,
          "without a credential, the owner shares the attacker's lane",
        );
        const known = await loginFrom(b, '127.0.0.10', owner, PASSWORD);
        assert.equal(known.status, 200, `round ${round}, known address: ${JSON.stringify(known.body)}`);
        const device = await loginFrom(b, attacker, owner, PASSWORD, first.device);
        assert.equal(device.status, 200, `round ${round}, device credential: ${JSON.stringify(device.body)}`);
        nowMs += Number(blocked.retryAfter) * 1000; // the attacker's next guess lands the moment the block ends
      }
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });

  test('100 parallel guesses split over two nodes get no more checks than the threshold, not one batch per node', async () => {
    const schema = await freshSchema();
    const counter = checkCounter();
    const env = { PACERPRO_LOGIN_MAX_FAILURES: '10', PACERPRO_JWT_SECRET: randomBytes(32).toString('hex') };
    // One frozen clock for both nodes: the 1 s block that follows the 10th check never ends during
    // the test, however slowly a busy machine serves the 100 guesses.
    const now = () => Date.UTC(2026, 11, 3, 12);
    const a = await startTestServer({ postgresUrl: schema.url, env, passwords: counter.wrap, now });
    const b = await startTestServer({ postgresUrl: schema.url, env, passwords: counter.wrap, now });
    try {
      await a.addUser('owner@example.com');
      const guesses = await Promise.all(
        Array.from({ length: 100 }, (_, i) => login(i % 2 ? a.url : b.url, { email: 'owner@example.com', password: `guess ${i}` })),
      );
      const statuses = guesses.map((g) => g.res.status);
      // At most the budget plus one in flight per node may be checked; charging each check before it runs gives the budget.
      assert.equal(counter.checks, 10, `${counter.checks} password checks`);
      assert.equal(statuses.filter((s) => s === 401).length, counter.checks);
      assert.equal(statuses.filter((s) => s === 429).length, 100 - counter.checks);
      const rows = await adminQuery<{ n: string }>(`SELECT count(*) AS n FROM ${schema.name}.audit_events WHERE event = 'login_failed'`);
      assert.equal(Number(rows[0]!.n), counter.checks, 'the audit trail counts the same checks');
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });

  test('while the database takes no writes, a login is not checked: 503 with Retry-After, so an outage never turns the throttle off', async () => {
    const schema = await freshSchema();
    const role = await switchableRole(schema);
    const counter = checkCounter();
    const server = await startTestServer({
      postgresUrl: role.url,
      env: { DATABASE_POOL_SIZE: '2', PACERPRO_JWT_SECRET: randomBytes(32).toString('hex') },
      passwords: counter.wrap,
    });
    try {
      await server.addUser('owner@example.com');
      await role.readOnly(true);
      await role.endSessions(); // sessions take the role's defaults when they start
      await fetch(`${server.url}/readyz`); // the first query after the cut finds its connection gone
      counter.checks = 0;
      for (let i = 0; i < 12; i++) {
        const { res, json } = await login(server.url, { email: 'owner@example.com', password: `guess ${i}` });
        assert.equal(res.status, 503, JSON.stringify(json));
        assert.equal(res.headers.get('retry-after'), '1');
        assert.equal(json.code, 'service_unavailable');
      }
      assert.equal(counter.checks, 0, 'no guess was checked while its failure could not be counted');
      await role.readOnly(false);
      await role.endSessions();
      for (let i = 0; i < 3; i++) await fetch(`${server.url}/readyz`);
      assert.equal((await login(server.url, { email: 'owner@example.com', password: PASSWORD })).res.status, 200);
    } finally {
      await server.close();
      await schema.drop();
      await role.drop();
    }
  });
});
