import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildMattersApp } from '../../../examples/matters-api/src/app.js';
import { pacerproAuth } from '../src/plugin.js';
import { call, login, startTestServer, type TestServer } from './support/harness.js';

// The example matters API (examples/matters-api) trusts PacerPro sessions through the pacerproAuth
// plugin of the built package: a token from the auth server opens GET /v1/matters, a logout on the
// auth server closes it at once, and every refusal is PacerPro's Error body.

describe('examples/matters-api with pacerproAuth', () => {
  let auth: TestServer;
  let matters: FastifyInstance;
  let mattersUrl: string;

  before(async () => {
    auth = await startTestServer();
    await auth.addUser('alice@example.com');
    // Shares the auth server's SQLite file: the users, their jtis and the generated secret.
    matters = await buildMattersApp({ databaseUrl: auth.databasePath });
    mattersUrl = await matters.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await matters.close();
    await auth.close();
  });

  const getMatters = async (authorization?: string) => {
    const res = await fetch(`${mattersUrl}/v1/matters`, { headers: authorization === undefined ? {} : { authorization } });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
  };

  test('a PacerPro token opens GET /v1/matters, with Bearer or bare, and the user is on the request', async () => {
    const token = (await login(auth.url)).json.jwtToken as string;
    for (const authorization of [`Bearer ${token}`, token]) {
      const answer = await getMatters(authorization);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json.user, { id: 1, email: 'alice@example.com' });
      assert.deepEqual(
        (answer.json.matters as Array<{ id: number }>).map((m) => m.id),
        [1, 2],
      );
    }
  });

  test('no token, a bad token, or a token after logout answer 401 with the PacerPro Error body', async () => {
    const missing = await getMatters();
    assert.equal(missing.status, 401);
    assert.equal(missing.json.code, 'missing_token');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="pacerpro"');
    assert.deepEqual(Object.keys(missing.json).sort(), ['code', 'error', 'message', 'status', 'type']);
    assert.equal((await getMatters('Bearer not-a-token')).json.code, 'invalid_token');

    const token = (await login(auth.url)).json.jwtToken as string;
    assert.equal((await getMatters(`Bearer ${token}`)).status, 200);
    assert.equal((await call(auth.url, 'DELETE', `Bearer ${token}`)).res.status, 200);
    const revoked = await getMatters(`Bearer ${token}`);
    assert.equal(revoked.status, 401);
    assert.equal(revoked.json.code, 'token_revoked');
  });

  test('routes outside the plugin scope stay open', async () => {
    const res = await fetch(`${mattersUrl}/healthz`);
    assert.equal(res.status, 200);
  });
});

test('request.pacerproUser carries the id, the e-mail and when the session began: never the hash or the jti', async () => {
  const secret = 'whoami-test-secret-whoami-test-secret-0123456789';
  const auth = await startTestServer({ env: { PACERPRO_JWT_SECRET: secret } });
  const seen: unknown[] = [];
  const app = Fastify();
  await app.register(pacerproAuth, { store: auth.store, secret });
  app.get('/whoami', async (request) => {
    seen.push(request.pacerproUser);
    return {};
  });
  try {
    await auth.addUser('alice@example.com');
    const token = (await login(auth.url)).json.jwtToken as string;
    assert.equal((await app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
    const stored = (await auth.store.users.findUserById(1))!;
    assert.deepEqual(seen, [{ id: 1, email: 'alice@example.com', sessionStartedAt: stored.jtiIssuedAt }]);
  } finally {
    await app.close();
    await auth.close();
  }
});

test('pacerproAuth with a shared store and an explicit secret', async () => {
  const secret = 'matters-test-secret-matters-test-secret-0123456789';
  const auth = await startTestServer({ env: { PACERPRO_JWT_SECRET: secret } });
  const other = await buildMattersApp({ store: auth.store, secret: `${secret}-other` });
  const same = await buildMattersApp({ store: auth.store, secret });
  try {
    await auth.addUser('alice@example.com');
    const token = (await login(auth.url)).json.jwtToken as string;
    const ask = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/v1/matters', headers: { authorization: `Bearer ${token}` } });
    assert.equal((await ask(same)).statusCode, 200);
    // Another secret: the signature does not verify.
    assert.equal((await ask(other)).json<{ code: string }>().code, 'invalid_token');
    await assert.rejects(buildMattersApp({}), /pacerproAuth needs \{ store \} or \{ databaseUrl \}/);
  } finally {
    await Promise.all([other.close(), same.close()]);
    await auth.close(); // the store belongs to the auth server: the apps above did not close it
  }
});
