import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { MAX_PASSWORD_BYTES } from '../../src/auth/password-length.js';
import { PASSWORD, call, decodeJwt, login, rawRequests, startTestServer, type TestServer } from '../support/harness.js';

// Every bullet of docs/contract.md, over a real socket against a real SQLite file.

const SECRET = 'contract-test-secret-that-is-long-enough-0123456789';
const START = Date.UTC(2026, 10, 28, 6, 0, 0);
let nowMs = START;
let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { PACERPRO_JWT_SECRET: SECRET, PACERPRO_JWT_TTL: '3600' }, now: () => nowMs });
  assert.equal(await server.addUser('alice@example.com'), 1, 'the first user is id 1');
  await server.addUser('bob@example.com');
  const locked = await server.addUser('locked@example.com');
  await server.store.users.setLocked(locked, true);
});
after(() => server.close());

function assertErrorBody(json: Record<string, unknown>, status: number, code: string) {
  assert.equal(json.status, status);
  assert.equal(json.code, code);
  assert.equal(json.type, 'error');
  assert.equal(typeof json.error, 'string');
  assert.ok((json.error as string).length > 10, 'the error says what went wrong');
  assert.equal(json.message, json.error);
}

const sign = (header: object, payload: object, secret = SECRET) => {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

describe('POST /v1/session', () => {
  test('a User body logs in: Session, JSON, Authorization header, no-store', async () => {
    const { res, json } = await login(server.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(Object.keys(json), ['jwtToken', 'expiresAt']);
    assert.equal(res.headers.get('authorization'), `Bearer ${json.jwtToken}`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(json.expiresAt, new Date(START + 3600_000).toISOString());
    assert.match(json.expiresAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('the token has exactly the devise-jwt header and claims, signed HS256 with the secret', async () => {
    const { json } = await login(server.url);
    const token = json.jwtToken as string;
    const { headerJson, payloadJson, payload } = decodeJwt(token);
    assert.equal(headerJson, '{"alg":"HS256","typ":"JWT"}');
    assert.deepEqual(Object.keys(payload), ['jti', 'sub', 'scp', 'exp']);
    assert.equal(payload.sub, 1);
    assert.equal(payload.scp, 'user');
    assert.equal(payload.exp, START / 1000 + 3600);
    assert.match(payload.jti as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(payloadJson, /"sub":1,/, 'sub is a JSON number');
    const [h, p, signature] = token.split('.');
    assert.equal(signature, createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url'));
    const user = await server.store.users.findUserById(1);
    assert.equal(payload.jti, user!.jti, "the jti is the user's current jti");
  });

  test('the Devise-shaped body {"user": {...}} logs in too', async () => {
    const { res, json } = await login(server.url, { user: { email: 'alice@example.com', password: PASSWORD } });
    assert.equal(res.status, 200);
    assert.equal(typeof json.jwtToken, 'string');
  });

  test('e-mails compare case-insensitively after trimming', async () => {
    const { res } = await login(server.url, { email: '  ALICE@Example.COM ', password: PASSWORD });
    assert.equal(res.status, 200);
  });

  const unauthorized: Array<[string, unknown]> = [
    ['wrong email', { email: 'nobody@example.com', password: PASSWORD }],
    ['wrong password', { email: 'alice@example.com', password: 'not the password' }],
    ['locked account', { email: 'locked@example.com', password: PASSWORD }],
    ['missing email', { password: PASSWORD }],
    ['missing password', { email: 'alice@example.com' }],
    ['empty object', {}],
    ['empty Devise wrapper', { user: {} }],
    ['null fields', { email: null, password: null }],
    ['empty strings', { email: '', password: '' }],
  ];
  for (const [name, body] of unauthorized) {
    test(`401 with the Error body: ${name}`, async () => {
      const { res, json } = await login(server.url, body);
      assert.equal(res.status, 401);
      assert.equal(res.statusText, 'Unauthorized');
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(res.headers.get('authorization'), null);
      assert.equal(res.headers.get('cache-control'), 'no-store', 'errors are not cached either');
      assertErrorBody(json, 401, 'invalid_credentials');
    });
  }

  test('unknown e-mail, wrong password and locked account are indistinguishable', async () => {
    const answers = await Promise.all(
      unauthorized.slice(0, 3).map(async ([, body]) => {
        const res = await fetch(`${server.url}/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        // The date and the request id differ on every answer by nature.
        const headers = [...res.headers.entries()].filter(([k]) => k !== 'date' && k !== 'x-request-id').map(([k, v]) => `${k}: ${v}`);
        return { status: res.status, headers, body: await res.text() };
      }),
    );
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(answers[2], answers[0]);
  });

  const badRequests: Array<[string, string, string]> = [
    ['not JSON at all', 'email=alice', 'malformed_json'],
    ['truncated JSON', '{"email":', 'malformed_json'],
    ['an empty body', '', 'malformed_json'],
    ['a JSON array', '[{"email":"alice@example.com"}]', 'invalid_body'],
    ['a JSON string', '"alice"', 'invalid_body'],
    ['JSON null', 'null', 'invalid_body'],
    ['a number for email', '{"email":5,"password":"x"}', 'invalid_field'],
    ['an object for password', '{"email":"alice@example.com","password":{"$gt":""}}', 'invalid_field'],
    ['a prototype-pollution key', '{"__proto__":{"admin":true},"email":"a@b.c","password":"x"}', 'invalid_body'],
    ['a password over 1024 bytes', JSON.stringify({ email: 'alice@example.com', password: 'é'.repeat(513) }), 'password_too_long'],
    ['an e-mail over 254 characters', JSON.stringify({ email: `${'a'.repeat(250)}@example.com`, password: 'x' }), 'email_too_long'],
  ];
  for (const [name, body, code] of badRequests) {
    test(`400 with the Error body: ${name}`, async () => {
      const res = await fetch(`${server.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(res.status, 400);
      assert.equal(res.statusText, 'Bad Request');
      assertErrorBody((await res.json()) as Record<string, unknown>, 400, code);
    });
  }

  test('a password_too_long message names the limit enforced: a password of that many bytes is checked, one byte more is refused', async () => {
    const post = async (password: string) => {
      const res = await fetch(`${server.url}/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'alice@example.com', password }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    assert.equal((await post('x'.repeat(MAX_PASSWORD_BYTES))).json.code, 'invalid_credentials');
    const over = await post('x'.repeat(MAX_PASSWORD_BYTES + 1));
    assert.deepEqual([over.status, over.json.code], [400, 'password_too_long']);
    assert.equal(over.json.message, `password is longer than ${MAX_PASSWORD_BYTES} bytes.`);
  });

  test('413 for a body over the limit, 415 for another content type', async () => {
    const huge = await fetch(`${server.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', password: 'x'.repeat(20_000) }),
    });
    assert.equal(huge.status, 413);
    const hugeBody = (await huge.json()) as Record<string, unknown>;
    assertErrorBody(hugeBody, 413, 'body_too_large');
    assert.match(String(hugeBody.message), /^The request body is over the limit of \d+ bytes \(PACERPRO_BODY_LIMIT on the server\)\.$/);

    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/problem+json']) {
      const res = await fetch(`${server.url}/v1/session`, { method: 'POST', headers: { 'content-type': type }, body: '{}' });
      assert.equal(res.status, 415, type);
      assertErrorBody((await res.json()) as Record<string, unknown>, 415, 'unsupported_media_type');
    }
  });

  test('a charset parameter on the content type is fine', async () => {
    const res = await fetch(`${server.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ email: 'alice@example.com', password: PASSWORD }),
    });
    assert.equal(res.status, 200);
  });
});

describe('GET /v1/session', () => {
  test('refreshes with Bearer and with the bare token: same jti, later exp', async () => {
    const first = (await login(server.url)).json.jwtToken as string;
    nowMs += 60_000;
    for (const authorization of [`Bearer ${first}`, first]) {
      const { res, json } = await call(server.url, 'GET', authorization);
      assert.equal(res.status, 200, authorization.slice(0, 7));
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('authorization'), `Bearer ${json.jwtToken}`);
      const before = decodeJwt(first).payload;
      const afterwards = decodeJwt(json.jwtToken as string).payload;
      assert.equal(afterwards.jti, before.jti);
      assert.equal(afterwards.sub, before.sub);
      assert.equal(afterwards.exp, (before.exp as number) + 60);
      assert.equal(json.expiresAt, new Date((afterwards.exp as number) * 1000).toISOString());
    }
  });

  test('401 without a token: no header, "Bearer " with nothing after it, an empty header', async () => {
    for (const authorization of [undefined, 'Bearer ', 'Bearer', '']) {
      const { res, json } = await call(server.url, 'GET', authorization);
      assert.equal(res.status, 401, JSON.stringify(authorization));
      assert.equal(res.statusText, 'Unauthorized');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('pragma'), 'no-cache');
      assertErrorBody(json, 401, 'missing_token');
    }
  });

  test('401 for malformed, badly signed, unsigned, expired and revoked tokens', async () => {
    const token = (await login(server.url, { email: 'bob@example.com', password: PASSWORD })).json.jwtToken as string;
    const { payload } = decodeJwt(token);
    const cases: Array<[string, string, string]> = [
      ['malformed', 'Bearer not-a-token', 'invalid_token'],
      ['another scheme', `Basic ${token}`, 'invalid_token'],
      ['badly signed', `Bearer ${sign({ alg: 'HS256', typ: 'JWT' }, payload, 'another-secret-another-secret-another')}`, 'invalid_token'],
      ['alg none', `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${token.split('.')[1]}.`, 'invalid_token'],
      ['sub as a padded string', `Bearer ${sign({ alg: 'HS256', typ: 'JWT' }, { ...payload, sub: '02' })}`, 'invalid_token'],
      ['scp admin', `Bearer ${sign({ alg: 'HS256', typ: 'JWT' }, { ...payload, scp: 'admin' })}`, 'invalid_token'],
      ['expired', `Bearer ${sign({ alg: 'HS256', typ: 'JWT' }, { ...payload, exp: Math.floor(nowMs / 1000) })}`, 'token_expired'],
      [
        'another jti',
        `Bearer ${sign({ alg: 'HS256', typ: 'JWT' }, { ...payload, jti: '6f1c1f2e-0c5e-4b8e-9d3a-2b7c1e4f5a6b' })}`,
        'token_revoked',
      ],
      ['an unknown user', `Bearer ${sign({ alg: 'HS256', typ: 'JWT' }, { ...payload, sub: 999 })}`, 'token_revoked'],
    ];
    for (const [name, authorization, code] of cases) {
      const { res, json } = await call(server.url, 'GET', authorization);
      assert.equal(res.status, 401, name);
      assertErrorBody(json, 401, code);
    }
  });

  test('a token expires by the clock, without sleeping', async () => {
    const token = (await login(server.url)).json.jwtToken as string;
    nowMs += 3600_000;
    const { res, json } = await call(server.url, 'GET', `Bearer ${token}`);
    assert.equal(res.status, 401);
    assertErrorBody(json, 401, 'token_expired');
  });

  test('a token minted by Devise + devise-jwt with the same secret is accepted', async () => {
    const bob = (await server.store.users.findUserByEmail('bob@example.com'))!;
    const iat = Math.floor(nowMs / 1000);
    const devise = sign({ alg: 'HS256' }, { sub: String(bob.id), scp: 'user', aud: null, iat, exp: iat + 60, jti: bob.jti });
    const { res, json } = await call(server.url, 'GET', `Bearer ${devise}`);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(decodeJwt(json.jwtToken as string).payload), ['jti', 'sub', 'scp', 'exp']);
  });

  test('401 for a locked or deleted user', async () => {
    const id = await server.addUser('carol@example.com');
    const token = (await login(server.url, { email: 'carol@example.com', password: PASSWORD })).json.jwtToken as string;
    await server.store.users.setLocked(id, true);
    assertErrorBody((await call(server.url, 'GET', `Bearer ${token}`)).json, 401, 'token_revoked');
    await server.store.users.setLocked(id, false);
    assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 200, 'unlocking restores the session');
    await server.store.users.deleteUser(id);
    assertErrorBody((await call(server.url, 'GET', `Bearer ${token}`)).json, 401, 'token_revoked');
  });
});

describe('DELETE /v1/session', () => {
  test('answers {} as JSON and refuses every earlier token of the user', async () => {
    const tokens = [
      (await login(server.url)).json.jwtToken as string,
      (await login(server.url, { user: { email: 'alice@example.com', password: PASSWORD } })).json.jwtToken as string,
    ];
    tokens.push((await call(server.url, 'GET', `Bearer ${tokens[0]}`)).json.jwtToken as string);
    const bob = (await login(server.url, { email: 'bob@example.com', password: PASSWORD })).json.jwtToken as string;

    const res = await fetch(`${server.url}/v1/session`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json', accept: '*/*', authorization: `Bearer ${tokens[1]}` },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(await res.text(), '{}');

    for (const token of tokens) {
      for (const method of ['GET', 'DELETE'] as const) {
        const { res: again, json } = await call(server.url, method, `Bearer ${token}`);
        assert.equal(again.status, 401);
        assertErrorBody(json, 401, 'token_revoked');
      }
    }
    assert.equal((await call(server.url, 'GET', `Bearer ${bob}`)).res.status, 200, 'other users keep their sessions');
    const fresh = await login(server.url);
    assert.notEqual(
      decodeJwt(fresh.json.jwtToken as string).payload.jti,
      decodeJwt(tokens[0]!).payload.jti,
      'the next login gets the new jti',
    );
  });

  test('401 without a token, or with a bad one', async () => {
    assertErrorBody((await call(server.url, 'DELETE')).json, 401, 'missing_token');
    assertErrorBody((await call(server.url, 'DELETE', 'Bearer x.y.z')).json, 401, 'invalid_token');
  });
});

describe('requests the HTTP parser refuses', () => {
  const refused: Array<[string, string, number, string]> = [
    [
      'a control character in a header',
      'GET /v1/session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0001abc\r\n\r\n',
      400,
      'bad_request',
    ],
    ['a broken request line', 'GET /v1/session HTTP/9\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['headers over 16 KB', `GET /v1/session HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`, 431, 'headers_too_large'],
  ];
  for (const [name, request, status, code] of refused) {
    test(`${status} with the Error body and a request id, not Fastify's own JSON: ${name}`, async () => {
      const [response] = await rawRequests(server.port, [request]);
      assert.equal(response!.status, status);
      assert.match(response!.headers['x-request-id']!, /^[0-9a-f-]{36}$/);
      assert.equal(response!.headers.connection, 'close');
      assertErrorBody(JSON.parse(response!.body) as Record<string, unknown>, status, code);
    });
  }

  test("a headers_too_large message names Node's limit on the headers, the one the parser enforces", async () => {
    const withHeader = (bytes: number) => `GET /v1/session HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(bytes)}\r\n\r\n`;
    const [within] = await rawRequests(server.port, [withHeader(maxHeaderSize - 100)]);
    assert.equal(within!.status, 401, 'headers within the limit reach the route');
    const [over] = await rawRequests(server.port, [withHeader(maxHeaderSize)]);
    assert.equal(over!.status, 431);
    const { message } = JSON.parse(over!.body) as { message: string };
    assert.equal(message, `The request headers are too large (at most ${Math.floor(maxHeaderSize / 1024)} KB in all).`);
  });
});

describe('what every generated client sends', () => {
  test('one keep-alive connection: POST, then GET and DELETE with Content-Type json and no body or Content-Length', async () => {
    const body = JSON.stringify({ email: 'bob@example.com', password: PASSWORD });
    const head = 'Host: 127.0.0.1\r\nUser-Agent: Swagger-Codegen/0.2.1/ruby\r\nContent-Type: application/json\r\n';
    const [posted] = await rawRequests(server.port, [
      `POST /v1/session HTTP/1.1\r\n${head}Accept: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ]);
    assert.equal(posted!.statusLine, 'HTTP/1.1 200 OK');
    const token = (JSON.parse(posted!.body) as { jwtToken: string }).jwtToken;
    const responses = await rawRequests(server.port, [
      `GET /v1/session HTTP/1.1\r\n${head}Accept: application/json\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      `GET /v1/session HTTP/1.1\r\n${head}Accept: application/json\r\nAuthorization: ${token}\r\n\r\n`,
      `DELETE /v1/session HTTP/1.1\r\n${head}Accept: */*\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      `GET /v1/session HTTP/1.1\r\n${head}Accept: application/json\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      `GET /v1/session HTTP/1.1\r\n${head}Accept: application/json\r\nAuthorization: Bearer \r\n\r\n`,
    ]);
    assert.deepEqual(
      responses.map((r) => r.statusLine),
      ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 401 Unauthorized', 'HTTP/1.1 401 Unauthorized'],
    );
    assert.equal(responses[2]!.body, '{}');
    for (const r of responses) assert.match(r.headers['content-type']!, /^application\/json; charset=utf-8$/);
  });

  test('any wrong method on /v1/session, TRACE or OPTIONS without CORS too, answers 405 with Allow, not 404; an unknown route 404; each with the Error body', async () => {
    const missing = await fetch(`${server.url}/v1/sessions`);
    assert.equal(missing.status, 404);
    assert.equal(missing.statusText, 'Not Found');
    assertErrorBody((await missing.json()) as Record<string, unknown>, 404, 'not_found');
    // Methods fetch will not send, which Fastify routes nowhere: still the wrong method, not a missing resource.
    for (const method of ['TRACE', 'PROPFIND', 'LOCK']) {
      const [wrong] = await rawRequests(server.port, [`${method} /v1/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      assert.equal(wrong!.status, 405, method);
      assert.equal(wrong!.headers.allow, 'GET, HEAD, POST, DELETE');
      assertErrorBody(JSON.parse(wrong!.body) as Record<string, unknown>, 405, 'method_not_allowed');
    }
    for (const method of ['PUT', 'PATCH', 'OPTIONS']) {
      // OPTIONS: CORS is off here
      const wrong = await fetch(`${server.url}/v1/session`, { method, headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(wrong.status, 405, method);
      assert.equal(wrong.headers.get('allow'), 'GET, HEAD, POST, DELETE');
      assertErrorBody((await wrong.json()) as Record<string, unknown>, 405, 'method_not_allowed');
    }
  });
});
