import { Algorithm, hash } from '@node-rs/argon2';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { PasswordHasher } from '../../src/auth/passwords.js';
import { createLogger } from '../../src/logger.js';
import { craftedTokens } from '../support/crafted-tokens.js';
import { PASSWORD, call, decodeJwt, login, startTestServer, type TestServer } from '../support/harness.js';

// The attacks of issue 5 that the HTTP surface must defeat, each shown against a real server.

const SECRET = 'hardening-test-secret-hardening-test-secret';

describe('crafted tokens over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { PACERPRO_JWT_SECRET: SECRET } });
    await server.addUser('alice@example.com');
  });
  after(() => server.close());

  test('each of the crafted tokens for a real user is refused with 401 on GET and DELETE', async () => {
    const token = (await login(server.url)).json.jwtToken as string;
    const claims = decodeJwt(token).payload as { jti: string; sub: number; scp: string; exp: number };
    const crafted = craftedTokens(SECRET, claims);
    assert.ok(crafted.length >= 25);
    for (const [name, bad] of crafted) {
      for (const method of ['GET', 'DELETE'] as const) {
        const { res, json } = await call(server.url, method, bad === '' ? 'Bearer ' : `Bearer ${bad}`);
        assert.equal(res.status, 401, `${method} ${name}`);
        assert.equal(json.status, 401);
      }
    }
    assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 200, 'the genuine token still works');
  });

  test('an Authorization header over 4 KB is refused', async () => {
    const { res, json } = await call(server.url, 'GET', `Bearer ${'a'.repeat(5000)}`);
    assert.equal(res.status, 401);
    assert.equal(json.code, 'invalid_token');
  });
});

describe('no user enumeration', () => {
  let server: TestServer;
  const verifications: number[] = [];
  let current = 0;
  const counting = (hasher: PasswordHasher): PasswordHasher => ({
    ...hasher,
    verify: (h, p) => (current++, hasher.verify(h, p)),
    verifyDummy: (p) => (current++, hasher.verifyDummy(p)),
  });
  before(async () => {
    server = await startTestServer({ passwords: counting });
    await server.addUser('alice@example.com');
    await server.store.users.setLocked(await server.addUser('locked@example.com'), true);
  });
  after(() => server.close());

  test('unknown e-mail, wrong password, locked account and success each cost exactly one verification', async () => {
    const attempts = [
      { email: 'nobody@example.com', password: PASSWORD },
      { email: 'alice@example.com', password: 'wrong password!' },
      { email: 'locked@example.com', password: PASSWORD },
      { email: 'alice@example.com', password: PASSWORD },
    ];
    for (const body of attempts) {
      current = 0;
      await login(server.url, body);
      verifications.push(current);
    }
    assert.deepEqual(verifications, [1, 1, 1, 1]);
  });
});

describe('bounded input', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('duplicate keys are refused with a clear 400', async () => {
    const res = await fetch(`${server.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":"alice@example.com","email":"mallory@example.com","password":"x"}',
    });
    assert.equal(res.status, 400);
    const json = (await res.json()) as { code: string; message: string };
    assert.equal(json.code, 'invalid_body');
    assert.match(json.message, /"email" more than once/);
  });
});

describe('absolute session age', () => {
  let nowMs = Date.now();
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { PACERPRO_SESSION_MAX_AGE: '1h', PACERPRO_JWT_TTL: '900' }, now: () => nowMs });
    await server.addUser('alice@example.com');
  });
  after(() => server.close());

  test('refreshing keeps a session alive only until its maximum age; the next login spins a fresh jti', async () => {
    let token = (await login(server.url)).json.jwtToken as string;
    const firstJti = decodeJwt(token).payload.jti;
    for (let minutes = 0; minutes < 55; minutes += 11) {
      nowMs += 11 * 60_000;
      const refreshed = await call(server.url, 'GET', `Bearer ${token}`);
      assert.equal(refreshed.res.status, 200, `refresh after ${minutes + 11} minutes`);
      token = refreshed.json.jwtToken as string;
    }
    nowMs += 6 * 60_000; // 61 minutes after login: the token itself has not expired yet
    const refused = await call(server.url, 'GET', `Bearer ${token}`);
    assert.equal(refused.res.status, 401);
    assert.equal(refused.json.code, 'session_too_old');
    const again = (await login(server.url)).json.jwtToken as string;
    assert.notEqual(decodeJwt(again).payload.jti, firstJti);
    assert.equal((await call(server.url, 'GET', `Bearer ${again}`)).res.status, 200);
  });
});

test('a stored hash weaker than the configured argon2id parameters is upgraded at the next login', async () => {
  const server = await startTestServer();
  try {
    const weak = await hash(PASSWORD, { algorithm: Algorithm.Argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const user = await server.store.users.createUser({ email: 'old@example.com', passwordHash: weak, jti: crypto.randomUUID() });
    assert.equal((await login(server.url, { email: 'old@example.com', password: PASSWORD })).res.status, 200);
    const upgraded = (await server.store.users.findUserById(user.id))!.passwordHash;
    assert.match(upgraded, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal((await login(server.url, { email: 'old@example.com', password: PASSWORD })).res.status, 200);
  } finally {
    await server.close();
  }
});

describe('per-IP login limit', () => {
  const attempt = (url: string, forwardedFor?: string) =>
    fetch(`${url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }),
    });

  test('in memory: the attempt over the limit answers 429 with Retry-After and the Error body', async () => {
    const server = await startTestServer({ env: { PACERPRO_IP_LOGIN_LIMIT: '3' } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await attempt(server.url)).status, 401);
      const limited = await attempt(server.url);
      assert.equal(limited.status, 429);
      assert.equal(limited.statusText, 'Too Many Requests');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      const json = (await limited.json()) as { code: string; status: number };
      assert.deepEqual([json.code, json.status], ['rate_limited', 429]);
      assert.equal((await call(server.url, 'GET')).res.status, 401, 'only logins are limited');
    } finally {
      await server.close();
    }
  });

  test('X-Forwarded-For counts only through a trusted proxy', async () => {
    const untrusting = await startTestServer({ env: { PACERPRO_IP_LOGIN_LIMIT: '2' } });
    const trusting = await startTestServer({ env: { PACERPRO_IP_LOGIN_LIMIT: '2', PACERPRO_TRUST_PROXY: '127.0.0.1' } });
    try {
      // Spoofed headers do not buy an attacker fresh counters from a server that trusts no proxy.
      const spoofed = [];
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) spoofed.push((await attempt(untrusting.url, ip)).status);
      assert.deepEqual(spoofed, [401, 401, 429]);
      // Behind a trusted proxy, each client has its own counter.
      const behindProxy = [];
      for (const ip of ['203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.2'])
        behindProxy.push((await attempt(trusting.url, ip)).status);
      assert.deepEqual(behindProxy, [401, 401, 429, 401]);
    } finally {
      await untrusting.close();
      await trusting.close();
    }
  });

  test('behind a trusted proxy an IPv6 client is limited by its /64, so it cannot take a fresh bucket per address', async () => {
    const server = await startTestServer({ env: { PACERPRO_IP_LOGIN_LIMIT: '2', PACERPRO_TRUST_PROXY: '127.0.0.1' } });
    try {
      const statuses = [];
      for (const ip of ['2001:db8:0:1::1', '2001:db8:0:1::2', '2001:db8:0:1:ffff::3', '2001:db8:0:2::1']) {
        statuses.push((await attempt(server.url, ip)).status);
      }
      assert.deepEqual(statuses, [401, 401, 429, 401], 'three addresses of one /64 share a bucket; the next /64 has its own');
    } finally {
      await server.close();
    }
  });

  test('a login with X-Forwarded-For to a server that trusts no proxy logs one warning naming PACERPRO_TRUST_PROXY, once', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const server = await startTestServer({ logger });
    try {
      await attempt(server.url); // no header: no warning
      for (let i = 0; i < 3; i++) await attempt(server.url, `203.0.113.${i}`);
      const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40);
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0]!.msg, /X-Forwarded-For.*PACERPRO_TRUST_PROXY is unset/);
    } finally {
      await server.close();
    }
  });

  test('through Redis the limit is shared by every node', async (t) => {
    const redisUrl = 'redis://127.0.0.1:6379';
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
    } catch (error) {
      if (process.env.CI) throw error;
      redis.disconnect();
      t.skip('no Redis on 127.0.0.1:6379: start one to run this test (under CI it always runs)');
      return;
    }
    const env = { PACERPRO_IP_LOGIN_LIMIT: '3', PACERPRO_TRUST_PROXY: '127.0.0.1', REDIS_URL: redisUrl };
    const nodeA = await startTestServer({ env });
    const nodeB = await startTestServer({ env });
    // A client address of its own, so parallel runs never share a counter.
    const client = `198.51.100.${randomInt(1, 255)}, 192.0.2.${randomInt(1, 255)}`;
    const clientIp = client.split(',')[1]!.trim();
    try {
      await redis.del(`pacerpro:login-ip:POST/v1/session-${clientIp}`);
      const statuses = [
        (await attempt(nodeA.url, client)).status,
        (await attempt(nodeB.url, client)).status,
        (await attempt(nodeA.url, client)).status,
        (await attempt(nodeB.url, client)).status,
      ];
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      assert.equal(await redis.get(`pacerpro:login-ip:POST/v1/session-${clientIp}`), '4', 'the counter lives in Redis');
    } finally {
      await redis.del(`pacerpro:login-ip:POST/v1/session-${clientIp}`);
      redis.disconnect();
      await nodeA.close();
      await nodeB.close();
    }
  });
});
