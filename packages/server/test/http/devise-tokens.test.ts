import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sign } from '../support/crafted-tokens.js';
import { call, decodeJwt, login, startTestServer, type TestServer } from '../support/harness.js';

// Tokens of a live devise-jwt backend, in warden-jwt_auth's exact shape, against a real server:
// bare {"alg":"HS256"} header, string sub, iat, aud null, the model's jwt_payload claims, and iss
// when the Rails app sets config.jwt.issuer. The Rails side is played by signing with the shared secret.

const SECRET = 'devise-tokens-test-secret-devise-tokens-test';
const ISSUER = 'https://rails.example';

function railsToken(user: { id: number; jti: string }, extra: Record<string, unknown> = {}): string {
  const iat = Math.floor(Date.now() / 1000);
  return sign({ alg: 'HS256' }, { sub: String(user.id), scp: 'user', aud: null, iat, exp: iat + 600, jti: user.jti, ...extra }, SECRET);
}

async function aliceOf(server: TestServer): Promise<{ id: number; jti: string }> {
  const id = await server.addUser('alice@example.com');
  const user = await server.store.users.findUserById(id);
  assert.ok(user);
  return { id, jti: user.jti };
}

describe('with PACERPRO_JWT_ISSUER set', () => {
  let server: TestServer;
  let alice: { id: number; jti: string };
  before(async () => {
    server = await startTestServer({ env: { PACERPRO_JWT_SECRET: SECRET, PACERPRO_JWT_ISSUER: ISSUER } });
    alice = await aliceOf(server);
  });
  after(() => server.close());

  test('a Rails token with the issuer and app claims refreshes into ours, carrying iss and the shared jti', async () => {
    const { res, json } = await call(
      server.url,
      'GET',
      `Bearer ${railsToken(alice, { iss: ISSUER, email: 'alice@example.com', role: 'admin' })}`,
    );
    assert.equal(res.status, 200);
    const { payloadJson } = decodeJwt(json.jwtToken as string);
    assert.match(
      payloadJson,
      new RegExp(`^\\{"jti":"${alice.jti}","sub":${alice.id},"scp":"user","exp":\\d+,"iss":"${ISSUER.replaceAll('.', '\\.')}"\\}$`),
    );
  });

  test('a Rails token without iss, or with another, is refused', async () => {
    assert.equal((await call(server.url, 'GET', `Bearer ${railsToken(alice)}`)).res.status, 401);
    assert.equal((await call(server.url, 'GET', `Bearer ${railsToken(alice, { iss: 'https://other.example' })}`)).res.status, 401);
  });

  test('a logout here refuses the Rails token at once', async () => {
    const rails = railsToken(alice, { iss: ISSUER });
    const ours = (await login(server.url)).json.jwtToken as string;
    assert.equal((await call(server.url, 'DELETE', `Bearer ${ours}`)).res.status, 200);
    assert.equal((await call(server.url, 'GET', `Bearer ${rails}`)).res.status, 401);
  });
});

describe('with no issuer set', () => {
  let server: TestServer;
  let alice: { id: number; jti: string };
  before(async () => {
    server = await startTestServer({ env: { PACERPRO_JWT_SECRET: SECRET } });
    alice = await aliceOf(server);
  });
  after(() => server.close());

  test("Rails tokens with and without iss and app claims refresh; ours stay exactly the contract's four claims", async () => {
    for (const extra of [{}, { iss: ISSUER }, { email: 'alice@example.com' }, { iss: ISSUER, role: 'admin' }]) {
      const { res, json } = await call(server.url, 'GET', `Bearer ${railsToken(alice, extra)}`);
      assert.equal(res.status, 200, JSON.stringify(extra));
      assert.deepEqual(Object.keys(decodeJwt(json.jwtToken as string).payload), ['jti', 'sub', 'scp', 'exp']);
    }
  });
});
