import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { createTokenService } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { pacerproAuth } from '../src/plugin.js';
import { craftedTokens } from './support/crafted-tokens.js';
import { call, login, startTestServer, type TestServer } from './support/harness.js';

// One authentication path: whatever is wrong with a token, the auth server's GET and DELETE
// /v1/session and a route behind pacerproAuth give the same answer, byte for byte.

const SECRET = 'parity-test-secret-parity-test-secret-0123456789';
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const ENV = { PACERPRO_JWT_SECRET: SECRET, PACERPRO_SESSION_MAX_AGE: '1h', PACERPRO_JWT_TTL: '3600' };

describe('GET and DELETE /v1/session and a pacerproAuth route answer each bad token the same', () => {
  let nowMs = T0;
  const now = () => nowMs;
  let server: TestServer;
  let protectedApp: FastifyInstance;
  const cases: Array<[name: string, authorization: string | undefined, code: string]> = [];

  before(async () => {
    server = await startTestServer({ env: ENV, now });
    protectedApp = Fastify();
    const config = loadConfig({ DATABASE_URL: server.databasePath, ...ENV });
    await protectedApp.register(async (api) => {
      await api.register(pacerproAuth, { store: server.store, secret: SECRET, config, now });
      api.get('/v1/matters', async () => ({ matters: [] }));
    });

    const tokensAt = (ms: number) => createTokenService({ secret: SECRET, ttlSeconds: 3600, now: () => ms });
    const tokenOf = async (id: number, ms = T0) => `Bearer ${tokensAt(ms).issue((await server.store.users.findUserById(id))!).token}`;

    nowMs = T0 - 2 * 3600_000; // this user's session began two hours ago, past the 1 h max age
    const old = await server.addUser('old@example.com');
    nowMs = T0;
    const alice = await server.addUser('alice@example.com');
    const locked = await server.addUser('locked@example.com');
    const deleted = await server.addUser('deleted@example.com');
    const loggedOut = await server.addUser('out@example.com');

    const aliceUser = (await server.store.users.findUserById(alice))!;
    const beforeLogout = await tokenOf(loggedOut);
    for (const [name, token] of craftedTokens(SECRET, { jti: aliceUser.jti, sub: alice, scp: 'user', exp: T0 / 1000 + 600 })) {
      cases.push([`crafted: ${name}`, `Bearer ${token}`, token === '' ? 'missing_token' : 'invalid_token']);
    }
    cases.push(
      ['no Authorization header', undefined, 'missing_token'],
      ['"Bearer" alone', 'Bearer', 'missing_token'],
      ['blank header', '   ', 'missing_token'],
      ['another scheme', `Basic ${Buffer.from('alice:pw').toString('base64')}`, 'invalid_token'],
      ['not a JWT', 'Bearer not-a-token', 'invalid_token'],
      ['a header over the length limit', `Bearer ${'a'.repeat(5000)}`, 'invalid_token'],
      ['expired', await tokenOf(alice, T0 - 2 * 3600_000), 'token_expired'],
      ['another jti', `Bearer ${tokensAt(T0).issue({ id: alice, jti: randomUUID() }).token}`, 'token_revoked'],
      ['an unknown user', `Bearer ${tokensAt(T0).issue({ id: 999, jti: aliceUser.jti }).token}`, 'token_revoked'],
      ['a locked user', await tokenOf(locked), 'token_revoked'],
      ['a deleted user', await tokenOf(deleted), 'token_revoked'],
      ['after logout', beforeLogout, 'token_revoked'],
      ['a session past its max age', await tokenOf(old), 'session_too_old'],
    );

    await server.store.users.setLocked(locked, true);
    await server.store.users.deleteUser(deleted);
    const logout = await server.app.inject({ method: 'DELETE', url: '/v1/session', headers: { authorization: beforeLogout } });
    assert.equal(logout.statusCode, 200);
  });
  after(async () => {
    await protectedApp.close();
    await server.close();
  });

  const answerOf = (res: LightMyRequestResponse) => ({
    status: res.statusCode,
    body: res.body,
    contentType: res.headers['content-type'],
    wwwAuthenticate: res.headers['www-authenticate'],
  });

  test('a good token passes both, so the refusals below are of the token alone', async () => {
    const token = (await login(server.url)).json.jwtToken as string;
    assert.equal(
      (await protectedApp.inject({ method: 'GET', url: '/v1/matters', headers: { authorization: `Bearer ${token}` } })).statusCode,
      200,
    );
    assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 200);
  });

  test('each bad token: the same status, body, Content-Type and WWW-Authenticate from the routes and the plugin', async () => {
    assert.ok(cases.length > 50);
    for (const [name, authorization, code] of cases) {
      const headers = authorization === undefined ? {} : { authorization };
      const plugin = answerOf(await protectedApp.inject({ method: 'GET', url: '/v1/matters', headers }));
      assert.equal(plugin.status, 401, name);
      assert.equal(JSON.parse(plugin.body).code, code, name);
      assert.equal(plugin.wwwAuthenticate, 'Bearer realm="pacerpro"', name);
      for (const method of ['GET', 'DELETE'] as const) {
        const route = answerOf(await server.app.inject({ method, url: '/v1/session', headers }));
        assert.deepEqual(route, plugin, `${method} /v1/session, ${name}`);
      }
    }
  });
});
