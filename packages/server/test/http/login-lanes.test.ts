import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PasswordHasher } from '../../src/auth/passwords.js';
import { runCli } from '../support/cli.js';
import { parsePrometheus } from '../support/prometheus.js';
import { PASSWORD, startTestServer, type TestServer } from '../support/harness.js';
import { blockUnknownLane as blockUnknownLaneOf, loginFrom } from '../support/login-from.js';

// The login lanes (SECURITY.md, "Login throttling") on real sockets: clients on distinct loopback
// addresses (test/support/login-from.ts), an attacker that guesses at Retry-After pace and
// faster, and an owner who must get in at the first try from a client its account knows.

const OWNER = 'owner@example.com';
const ATTACKER = '127.0.0.66';

/** Wrong guesses from the attacker until the owner's unknown lane is blocked: 429 with Retry-After. */
const blockUnknownLane = (server: TestServer, from = ATTACKER) => blockUnknownLaneOf([server], OWNER, from);

describe('login lanes', () => {
  test('strangers guessing at Retry-After pace and faster never stop the owner at an address it logged in from before', async () => {
    let nowMs = Date.UTC(2026, 11, 3, 9);
    const server = await startTestServer({ env: { PACERPRO_LOGIN_MAX_FAILURES: '3' }, now: () => nowMs });
    try {
      await server.addUser(OWNER);
      assert.equal((await loginFrom(server, '127.0.0.10', OWNER, PASSWORD)).status, 200); // the owner's address becomes known
      for (let round = 0; round < 4; round++) {
        const blocked = await blockUnknownLane(server, `127.0.0.${70 + round}`);
        // Faster than Retry-After: refused without a check; the owner meanwhile gets in at once.
        assert.equal((await loginFrom(server, `127.0.0.${80 + round}`, OWNER, 'guess')).status, 429);
        const owner = await loginFrom(server, '127.0.0.10', OWNER, PASSWORD);
        assert.equal(owner.status, 200, `round ${round}: ${JSON.stringify(owner.body)}`);
        nowMs += Number(blocked.retryAfter) * 1000; // the attacker's next guess lands the moment the block ends
      }
    } finally {
      await server.close();
    }
  });

  test("the owner's device credential lets it in from the attacker's own address, past the per-IP limit the attacker used up", async () => {
    const server = await startTestServer({ env: { PACERPRO_LOGIN_MAX_FAILURES: '3', PACERPRO_IP_LOGIN_LIMIT: '5' } });
    try {
      await server.addUser(OWNER);
      const first = await loginFrom(server, '127.0.0.20', OWNER, PASSWORD);
      assert.equal(first.status, 200);
      assert.match(first.device ?? '', /^[A-Za-z0-9_-]{43}$/);
      const flood = [];
      for (let i = 0; i < 6; i++) flood.push((await loginFrom(server, ATTACKER, OWNER, `guess ${i}`)).status);
      assert.deepEqual(flood, [401, 401, 401, 429, 429, 429], 'the unknown lane blocks, then the per-IP limit too');
      assert.equal((await loginFrom(server, ATTACKER, OWNER, PASSWORD)).status, 429, 'without the credential, the owner is refused there');
      const owner = await loginFrom(server, ATTACKER, OWNER, PASSWORD, first.device);
      assert.equal(owner.status, 200, JSON.stringify(owner.body));
      assert.equal(owner.device, first.device, 'a valid credential is kept, not replaced');
    } finally {
      await server.close();
    }
  });

  test("a forged, expired, revoked or other account's device credential is ignored: the login counts on the unknown lane", async () => {
    let nowMs = Date.UTC(2026, 11, 3, 9);
    const server = await startTestServer({
      env: { PACERPRO_LOGIN_MAX_FAILURES: '3', PACERPRO_DEVICE_CREDENTIAL_TTL: '1d' },
      now: () => nowMs,
    });
    try {
      await server.addUser(OWNER);
      await server.addUser('other@example.com');
      const owned = (await loginFrom(server, '127.0.0.30', OWNER, PASSWORD)).device!;
      const others = (await loginFrom(server, '127.0.0.31', 'other@example.com', PASSWORD)).device!;
      const revoked = (await loginFrom(server, '127.0.0.32', OWNER, PASSWORD)).device!;
      await server.store.knownClients.forgetAccountClients(1); // as `users revoke` does: both of the owner's credentials go
      const fresh = (await loginFrom(server, '127.0.0.30', OWNER, PASSWORD)).device!;
      assert.notEqual(fresh, owned, 'a revoked credential is not given back: a new one is issued');
      await blockUnknownLane(server);
      const refusedWith = async (device: string) => (await loginFrom(server, ATTACKER, OWNER, PASSWORD, device)).status;
      assert.equal(await refusedWith('A'.repeat(43)), 429, 'forged');
      assert.equal(await refusedWith(`${fresh}x`), 429, 'malformed');
      assert.equal(await refusedWith(others), 429, "another account's");
      assert.equal(await refusedWith(revoked), 429, 'revoked');
      nowMs += 86_400_000 + 1000; // the unknown lane's block (1 s) is long over: the next guesses block it again
      await blockUnknownLane(server);
      assert.equal(await refusedWith(fresh), 429, 'expired: unused for longer than PACERPRO_DEVICE_CREDENTIAL_TTL');
    } finally {
      await server.close();
    }
  });

  test('a failed login answers no device credential, and the same as an e-mail without an account', async () => {
    const server = await startTestServer();
    try {
      await server.addUser(OWNER);
      const wrong = await loginFrom(server, '127.0.0.40', OWNER, 'wrong password');
      const nobody = await loginFrom(server, '127.0.0.40', 'nobody@example.com', 'wrong password');
      assert.deepEqual([wrong.status, wrong.device], [401, undefined]);
      assert.deepEqual(nobody, wrong);
    } finally {
      await server.close();
    }
  });

  test('parallel guesses get no more password checks than the threshold, and the metric and the audit trail name each lane', async () => {
    let checks = 0;
    const counting = (h: PasswordHasher): PasswordHasher => ({
      ...h,
      verify: (a, b) => (checks++, h.verify(a, b)),
      verifyDummy: (p) => (checks++, h.verifyDummy(p)),
    });
    const server = await startTestServer({ env: { PACERPRO_LOGIN_MAX_FAILURES: '4' }, passwords: counting });
    try {
      await server.addUser(OWNER);
      const device = (await loginFrom(server, '127.0.0.50', OWNER, PASSWORD)).device!;
      checks = 0;
      const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => loginFrom(server, `127.0.1.${i}`, OWNER, 'guess')));
      assert.equal(checks, 4);
      assert.deepEqual(guesses.map((g) => g.status).sort(), [...Array(4).fill(401), ...Array(26).fill(429)]);
      assert.equal((await loginFrom(server, '127.0.0.50', OWNER, PASSWORD)).status, 200);
      assert.equal((await loginFrom(server, '127.0.0.99', OWNER, PASSWORD, device)).status, 200);

      const scrape = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text()).filter((s) => s.name === 'pacerpro_logins_total');
      const count = (outcome: string, lane: string) =>
        scrape.find((s) => s.labels.outcome === outcome && s.labels.lane === lane)?.value ?? Number.NaN;
      assert.deepEqual(
        [
          count('success', 'unknown'),
          count('success', 'known_address'),
          count('success', 'device'),
          count('failure', 'unknown'),
          count('throttled', 'unknown'),
        ],
        [1, 1, 1, 4, 26],
      );
      const events = await server.store.audit.listAuditEvents({ limit: 100 });
      assert.deepEqual(
        events.filter((e) => e.event === 'login_succeeded').map((e) => e.lane),
        ['unknown', 'known_address', 'device'],
      );
    } finally {
      await server.close();
    }
  });

  test('`users unlock` clears every lane of the account; `users revoke` and `users passwd` revoke its device credentials', async () => {
    const server = await startTestServer({ env: { PACERPRO_LOGIN_MAX_FAILURES: '2' } });
    const cli = (...args: string[]) => runCli([...args, '--database-url', server.databasePath], { stdin: `${PASSWORD} and more` });
    try {
      await server.addUser(OWNER);
      const device = (await loginFrom(server, '127.0.0.60', OWNER, PASSWORD)).device!;
      // Block all three lanes: the device's, the known address's and the unknown one.
      for (const [from, sent] of [
        ['127.0.0.61', device],
        ['127.0.0.60', undefined],
        [ATTACKER, undefined],
      ] as const) {
        for (let i = 0; i < 2; i++) assert.equal((await loginFrom(server, from, OWNER, 'guess', sent)).status, 401);
        assert.equal((await loginFrom(server, from, OWNER, PASSWORD, sent)).status, 429, `blocked from ${from}`);
      }
      assert.equal((await cli('users', 'unlock', OWNER)).code, 0);
      assert.equal((await loginFrom(server, '127.0.0.61', OWNER, PASSWORD, device)).status, 200, 'the device lane is clear');
      assert.equal((await loginFrom(server, '127.0.0.60', OWNER, PASSWORD)).status, 200, 'the known address is clear');
      assert.equal((await loginFrom(server, ATTACKER, OWNER, PASSWORD)).status, 200, 'the unknown lane is clear');

      for (const command of [
        ['users', 'revoke', OWNER],
        ['users', 'passwd', OWNER, '--password-stdin'],
      ]) {
        const held = (await loginFrom(server, '127.0.0.62', OWNER, PASSWORD)).device!;
        const result = await cli(...command);
        assert.equal(result.code, 0, result.stderr);
        const password = command[1] === 'passwd' ? `${PASSWORD} and more` : PASSWORD;
        await blockUnknownLane(server, '127.0.0.63');
        assert.equal(
          (await loginFrom(server, '127.0.0.62', OWNER, password, held)).status,
          429,
          `${command[1]}: neither the credential nor the address is known any more`,
        );
        assert.equal((await cli('users', 'unlock', OWNER)).code, 0);
      }
    } finally {
      await server.close();
    }
  });
});
