import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { PASSWORD, login, startTestServer, type TestServer } from '../support/harness.js';

// Property-based attacks on the HTTP surface: random methods, paths, headers, bodies and tokens.
// Whatever arrives: never a 5xx, never a crash, never a 200 on /v1/session without credentials.

let server: TestServer;
let validToken: string;
const seen = new Map<number, number>();

before(async () => {
  server = await startTestServer();
  await server.addUser('alice@example.com');
  validToken = (await login(server.url)).json.jwtToken as string;
});
after(() => server.close());

/** The valid token with one character changed, never the last of a segment (its spare bits). */
const nearlyValidToken = fc.record({ at: fc.nat(), char: fc.constantFrom(...'ABCabc012-_.') }).map(({ at, char }) => {
  const positions = [...validToken]
    .map((_, i) => i)
    .filter((i) => validToken[i + 1] !== '.' && i !== validToken.length - 1 && validToken[i] !== '.');
  const i = positions[at % positions.length]!;
  return validToken.slice(0, i) + (validToken[i] === char ? (char === 'A' ? 'B' : 'A') : char) + validToken.slice(i + 1);
});

const authorization = fc.oneof(
  fc.string({ maxLength: 200 }),
  nearlyValidToken,
  nearlyValidToken.map((t) => `Bearer ${t}`),
  fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => `Bearer ${parts.join('.')}`),
  fc.string({ minLength: 4000, maxLength: 5000 }),
);

const body = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        email: fc.oneof(fc.emailAddress(), fc.constant('alice@example.com'), fc.anything()),
        password: fc.oneof(fc.string(), fc.anything()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record({ user: fc.record({ email: fc.constant('ALICE@example.com '), password: fc.string({ maxLength: 40 }) }) })
    .map((v) => JSON.stringify(v)),
  fc.constant('{"__proto__":{"polluted":true},"email":"alice@example.com","password":"x"}'),
);

const request = fc.record(
  {
    method: fc.oneof(
      { arbitrary: fc.constantFrom('GET', 'POST', 'DELETE'), weight: 8 },
      { arbitrary: fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD'), weight: 1 },
    ),
    // Mostly the API itself, so most runs reach the authentication code rather than a 404.
    url: fc.oneof(
      { arbitrary: fc.constant('/v1/session'), weight: 8 },
      { arbitrary: fc.constantFrom('/v1/session/', '/v1/session?x=1', '/v1//session', '/healthz', '/'), weight: 1 },
      { arbitrary: fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)), weight: 1 },
    ),
    contentType: fc.oneof(
      { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 8 },
      { arbitrary: fc.constantFrom('text/plain', 'application/problem+json', 'multipart/form-data; boundary=x'), weight: 1 },
      { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
    ),
    authorization,
    body,
  },
  { requiredKeys: ['method', 'url'] },
);

test('random requests never get a 5xx, and never a 200 on /v1/session without valid credentials', async () => {
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers: Record<string, string> = {};
      if (r.contentType !== undefined) headers['content-type'] = r.contentType;
      if (r.authorization !== undefined) headers.authorization = r.authorization;
      const hasBody = r.body !== undefined && !['GET', 'HEAD'].includes(r.method);
      const res = await server.app.inject({ method: r.method as 'GET', url: r.url, headers, ...(hasBody ? { payload: r.body } : {}) });
      seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
      assert.ok(res.statusCode < 500, `${res.statusCode} for ${JSON.stringify(r).slice(0, 300)}: ${res.body}`);
      if (res.statusCode === 200 && r.url.startsWith('/v1/session')) {
        const sentPassword = r.body !== undefined && r.body.includes(PASSWORD);
        assert.ok(sentPassword, `200 without credentials for ${JSON.stringify(r).slice(0, 300)}`);
      }
      if (res.statusCode >= 400 && r.method !== 'HEAD') {
        const json = res.json<{ status: number; error: string }>();
        assert.equal(json.status, res.statusCode, 'every error has the Error body');
      }
    }),
    { numRuns: 400 },
  );
  // The runs reached the authentication code, not only the router and the body parser.
  assert.ok((seen.get(401) ?? 0) > 100, `only ${seen.get(401) ?? 0} answers were 401: ${JSON.stringify([...seen])}`);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
  assert.equal(
    (await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${validToken}` } })).statusCode,
    200,
  );
});
