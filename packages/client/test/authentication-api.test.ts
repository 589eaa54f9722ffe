// Every operation against the real server, in both Authorization forms, and every error path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, AuthenticationApi, type ConfigurationParameters, type Session } from '../src/index.js';
import { forgeToken } from './support/jwt.js';
import { ALICE, BOB, JWT_SECRET, useApiServer } from './support/server.js';

const TTL_SECONDS = 600;
const server = useApiServer({ jwtTtlSeconds: TTL_SECONDS });

const api = (parameters: ConfigurationParameters = {}) => new AuthenticationApi({ basePath: server().basePath, ...parameters });
const login = (user = ALICE) => api().sessionPost(user);

async function refusal(promise: Promise<unknown>, status: number, code?: string): Promise<ApiError> {
  const error = await promise.then(
    () => assert.fail(`expected ${status}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApiError, String(error));
  assert.equal(error.code, status);
  assert.equal(error.body?.status, status);
  assert.equal(error.body?.type, 'error');
  assert.equal(error.body?.error, error.body?.message);
  if (code) assert.equal(error.body?.code, code);
  return error;
}

function assertFresh(session: Session, issuedAfter: number) {
  assert.match(session.jwtToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.ok(session.expiresAt instanceof Date);
  // The server's exp has whole seconds, so the lifetime seen from here is at most TTL_SECONDS.
  // One second of slack above: the wall clock both processes read may be stepped (NTP) between
  // our reading and the server's; CI once saw 600020 ms.
  const lifetime = session.expiresAt.getTime() - issuedAfter;
  assert.ok(lifetime > (TTL_SECONDS - 5) * 1000 && lifetime <= (TTL_SECONDS + 1) * 1000, `lifetime ${lifetime} ms`);
}

describe('POST /session', () => {
  it('logs in and returns a Session, the token also in the Authorization response header', async () => {
    const started = Date.now();
    const { data, status, headers } = await api().sessionPostWithHttpInfo(ALICE);
    assert.equal(status, 200);
    assertFresh(data, started);
    assert.equal(headers.get('authorization'), `Bearer ${data.jwtToken}`);
  });

  it('refuses a wrong password, an unknown user and an empty User with 401 Unauthorized', async () => {
    for (const user of [{ ...ALICE, password: 'not the password' }, { email: 'nobody@example.com', password: ALICE.password }, {}]) {
      const error = await refusal(api().sessionPost(user as typeof ALICE), 401);
      assert.equal(error.message, 'Unauthorized');
    }
  });
});

describe('GET /session', () => {
  it('refreshes with "Bearer <token>" and with the bare token', async () => {
    const { jwtToken } = await login();
    const started = Date.now();
    const bearer = await api({ apiKey: jwtToken }).sessionGet();
    assertFresh(bearer, started);
    const bare = await api({ apiKey: jwtToken, apiKeyPrefix: null }).sessionGetWithHttpInfo();
    assert.equal(bare.status, 200);
    assertFresh(bare.data, started);
    // The refreshed token works in turn.
    await api({ apiKey: bare.data.jwtToken }).sessionGet();
  });

  it('refuses a request without a token', async () => {
    await refusal(api().sessionGet(), 401);
  });

  it('refuses a malformed, a badly signed and an expired token', async () => {
    const { jwtToken } = await login();
    const expired = forgeToken(jwtToken, { exp: Math.floor(Date.now() / 1000) - 60 }, JWT_SECRET);
    const badlySigned = forgeToken(jwtToken, {}, 'another-secret-that-is-also-long-enough-0123');
    for (const token of ['not-a-jwt', badlySigned, expired]) await refusal(api({ apiKey: token }).sessionGet(), 401);
    // The forgery itself is sound: the same claims signed with the right secret are accepted.
    await api({ apiKey: forgeToken(jwtToken, {}, JWT_SECRET) }).sessionGet();
  });
});

describe('DELETE /session', () => {
  it('revokes every token of the user, in the Bearer form', async () => {
    const first = await login(BOB);
    const second = await api({ apiKey: first.jwtToken }).sessionGet();
    const { data, status } = await api({ apiKey: first.jwtToken }).sessionDeleteWithHttpInfo();
    assert.deepEqual([data, status], [undefined, 200]);
    for (const token of [first.jwtToken, second.jwtToken]) {
      await refusal(api({ apiKey: token }).sessionGet(), 401);
      await refusal(api({ apiKey: token }).sessionDelete(), 401);
    }
  });

  it('revokes in the bare form too, and a new login works afterwards', async () => {
    const { jwtToken } = await login(BOB);
    assert.equal(await api({ apiKey: jwtToken, apiKeyPrefix: null }).sessionDelete(), undefined);
    await refusal(api({ apiKey: jwtToken, apiKeyPrefix: null }).sessionGet(), 401);
    const again = await login(BOB);
    await api({ apiKey: again.jwtToken }).sessionGet();
  });

  it("leaves other users' tokens alone", async () => {
    const alice = await login(ALICE);
    const bob = await login(BOB);
    await api({ apiKey: bob.jwtToken }).sessionDelete();
    await api({ apiKey: alice.jwtToken }).sessionGet();
  });

  it('refuses a request without a token', async () => {
    await refusal(api().sessionDelete(), 401);
  });
});

describe('a throttled login', () => {
  const throttled = useApiServer({ ipLoginLimitPerMinute: 2 });

  it('is a 429 ApiError with Retry-After, and POST is not retried', async () => {
    let posts = 0;
    const client = new AuthenticationApi({
      basePath: throttled().basePath,
      fetch: (input, init) => (posts++, fetch(input, init)),
    });
    await client.sessionPost(ALICE);
    const { jwtToken } = await client.sessionPost(ALICE);
    const error = await refusal(client.sessionPost(ALICE), 429, 'rate_limited');
    assert.equal(error.message, 'Too Many Requests');
    assert.match(error.responseHeaders.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.equal(posts, 3);
    // Refreshing is not a login: it is not throttled.
    await new AuthenticationApi({ basePath: throttled().basePath, apiKey: jwtToken }).sessionGet();
  });
});
