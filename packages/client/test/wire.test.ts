// What goes on the wire and how answers are read, against a local endpoint that answers as told.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiError, AuthenticationApi, type ConfigurationParameters, RequiredError, VERSION } from '../src/index.js';
import { errorBody, SESSION_BODY, sendJson, startStub, type StubHandler, type StubServer } from './support/stub-server.js';

let answer: StubHandler;
let stub: StubServer;

before(async () => {
  stub = await startStub((request, response, index) => answer(request, response, index));
});
after(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  answer = (request, response) => sendJson(response, 200, request.method === 'DELETE' ? {} : SESSION_BODY);
});

const api = (parameters: ConfigurationParameters = {}) => new AuthenticationApi({ basePath: stub.basePath, retry: false, ...parameters });

describe('requests', () => {
  it('send the JSON headers of the generated clients and our User-Agent on every operation, the token on GET and DELETE only', async () => {
    const client = api({ apiKey: 'tok' });
    await client.sessionPost({ email: 'a@example.com', password: 'pw' });
    await client.sessionGet();
    await client.sessionDelete();
    assert.deepEqual(
      stub.requests.map((r) => [r.method, r.url]),
      [
        ['POST', '/v1/session'],
        ['GET', '/v1/session'],
        ['DELETE', '/v1/session'],
      ],
    );
    for (const request of stub.requests) {
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers.accept, 'application/json');
      assert.equal(request.headers['user-agent'], `pacerpro-client-ts/${VERSION}`);
    }
    // The Ruby client's session_post: "No authorization required"; a held, maybe expired, token stays home.
    assert.deepEqual(
      stub.requests.map((r) => r.headers.authorization),
      [undefined, 'Bearer tok', 'Bearer tok'],
    );
  });

  it('refuse, before any request, a token or header no HTTP header can carry, without echoing it', async () => {
    for (const token of ['tok\nen', 'tök€n']) {
      await assert.rejects(api({ apiKey: token }).sessionGet(), (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, 0);
        assert.match(error.message, /The token cannot be sent/);
        assert.equal(error.message.includes(token), false);
        return true;
      });
    }
    assert.throws(
      () => api({ headers: { 'X-Api-Key': 'sec\nret' } }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /"X-Api-Key" is not a valid HTTP header/);
        assert.equal(error.message.includes('sec'), false);
        return true;
      },
    );
    assert.equal(stub.requests.length, 0);
  });

  it('refuse delays setTimeout cannot keep (it would fire at once), naming the option', () => {
    assert.throws(() => api({ timeoutMs: 3_000_000_000 }), /timeoutMs must be a number of milliseconds from 1 to 2147483647/);
    assert.throws(() => api({ timeoutMs: Number.POSITIVE_INFINITY }), /timeoutMs must be/);
    assert.throws(() => api({ timeoutMs: 0 }), /timeoutMs must be/);
    assert.throws(() => api({ retry: { maxRetryAfterMs: 2 ** 31 } }), /retry\.maxRetryAfterMs must be/);
    assert.throws(() => api({ retry: { baseDelayMs: -1 } }), /retry\.baseDelayMs must be/);
    assert.throws(() => api({ retry: { retries: 1.5 } }), /retry\.retries must be a whole number/);
    assert.equal(api({ timeoutMs: 2 ** 31 - 1 }).configuration.timeoutMs, 2 ** 31 - 1);
  });

  it('post exactly the User model, nothing else of the object passed', async () => {
    const user = { email: 'a@example.com', password: 'pw', rememberMe: true };
    await api().sessionPost(user);
    assert.equal(stub.requests[0]?.body, '{"email":"a@example.com","password":"pw"}');
  });

  it('send no body on GET and DELETE', async () => {
    await api().sessionGet();
    await api().sessionDelete();
    assert.deepEqual(
      stub.requests.map((r) => [r.body, r.headers['content-length']]),
      [
        ['', undefined],
        ['', undefined],
      ],
    );
  });

  it('send the bare token when apiKeyPrefix is null, and another prefix when set', async () => {
    await api({ apiKey: 'tok', apiKeyPrefix: null }).sessionGet();
    await api({ apiKey: 'tok', apiKeyPrefix: 'Token' }).sessionGet();
    assert.deepEqual(
      stub.requests.map((r) => r.headers.authorization),
      ['tok', 'Token tok'],
    );
  });

  it('send no Authorization header without an apiKey, or when the apiKey function has none', async () => {
    await api().sessionGet();
    await api({ apiKey: () => undefined }).sessionGet();
    assert.deepEqual(
      stub.requests.map((r) => 'authorization' in r.headers),
      [false, false],
    );
  });

  it('ask an apiKey function, sync or async, for the token on each request', async () => {
    let calls = 0;
    await api({ apiKey: () => `sync-${++calls}` }).sessionGet();
    const asyncClient = api({ apiKey: async () => `async-${++calls}` });
    await asyncClient.sessionGet();
    await asyncClient.sessionDelete();
    assert.deepEqual(
      stub.requests.map((r) => r.headers.authorization),
      ['Bearer sync-1', 'Bearer async-2', 'Bearer async-3'],
    );
  });

  it('send configured headers and User-Agent, and tolerate a trailing slash in basePath', async () => {
    await api({ basePath: `${stub.basePath}/`, headers: { 'X-Request-Id': 'r1' }, userAgent: 'my-app/2' }).sessionGet();
    assert.equal(stub.requests[0]?.url, '/v1/session');
    assert.equal(stub.requests[0]?.headers['x-request-id'], 'r1');
    assert.equal(stub.requests[0]?.headers['user-agent'], 'my-app/2');
  });

  it('call an injected fetch unbound, as a browser fetch needs', async () => {
    let receiver: unknown = 'not called';
    const fetch = function (this: unknown, input: string, init: RequestInit) {
      receiver = this;
      return globalThis.fetch(input, init);
    };
    await api({ fetch }).sessionGet();
    assert.equal(receiver, undefined);
  });

  it('reject sessionPost without a user before any request, naming the parameter', async () => {
    for (const missing of [undefined, null]) {
      await assert.rejects(api().sessionPost(missing as never), (error: unknown) => {
        assert.ok(error instanceof RequiredError);
        assert.equal(error.field, 'user');
        assert.match(error.message, /'user'/);
        return true;
      });
    }
    assert.equal(stub.requests.length, 0);
  });

  it('keeps VERSION in step with package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(VERSION, manifest.version);
  });
});

describe('successful answers', () => {
  it('parse a Session with expiresAt as a Date, with the aliases of the later Ruby client too', async () => {
    const expected = { jwtToken: SESSION_BODY.jwtToken, expiresAt: new Date(SESSION_BODY.expiresAt) };
    assert.deepEqual(await api().sessionPost({ email: 'a@example.com', password: 'pw' }), expected);
    assert.deepEqual(await api().sessionGet(), expected);
    assert.deepEqual(await api().sessionCreate({ email: 'a@example.com', password: 'pw' }), expected);
    assert.deepEqual(await api().sessionRefresh(), expected);
  });

  it('give status and headers from the WithHttpInfo operations', async () => {
    answer = (request, response) =>
      sendJson(response, 200, request.method === 'DELETE' ? {} : SESSION_BODY, { Authorization: 'Bearer header.payload.signature' });
    const post = await api().sessionPostWithHttpInfo({ email: 'a@example.com', password: 'pw' });
    assert.equal(post.status, 200);
    assert.equal(post.headers.get('authorization'), 'Bearer header.payload.signature');
    assert.equal(post.data.jwtToken, SESSION_BODY.jwtToken);
    const get = await api().sessionGetWithHttpInfo();
    assert.equal(get.data.expiresAt.toISOString(), SESSION_BODY.expiresAt);
    const remove = await api().sessionDeleteWithHttpInfo();
    assert.deepEqual([remove.data, remove.status], [undefined, 200]);
  });

  it('accept a charset parameter and extra keys', async () => {
    answer = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'Application/JSON;charset=UTF-8' });
      response.end(JSON.stringify({ ...SESSION_BODY, jti: 'ignored' }));
    };
    assert.equal((await api().sessionGet()).jwtToken, SESSION_BODY.jwtToken);
  });

  it('read expiresAt with a zone offset, with or without seconds and a colon, as the instant it names', async () => {
    for (const [expiresAt, instant] of [
      ['2026-11-28T10:00+05:30', '2026-11-28T04:30:00.000Z'],
      ['2024-02-29T23:59:59.5-0800', '2024-03-01T07:59:59.500Z'],
    ]) {
      answer = (_request, response) => sendJson(response, 200, { ...SESSION_BODY, expiresAt });
      assert.equal((await api().sessionGet()).expiresAt.toISOString(), instant);
    }
  });

  const unexpected: [string, string | undefined, string][] = [
    ['HTML', 'text/html', '<html>maintenance</html>'],
    ['no Content-Type', undefined, JSON.stringify(SESSION_BODY)],
    ['problem+json', 'application/problem+json', JSON.stringify(SESSION_BODY)],
    ['JSON that is not JSON', 'application/json', '{"jwtToken":'],
    ['null', 'application/json', 'null'],
    ['no token', 'application/json', JSON.stringify({ expiresAt: SESSION_BODY.expiresAt })],
    ['snake_case keys only', 'application/json', JSON.stringify({ jwt_token: 'x', expires_at: SESSION_BODY.expiresAt })],
    ['an invalid expiresAt', 'application/json', JSON.stringify({ ...SESSION_BODY, expiresAt: 'tomorrow' })],
    ['an expiresAt without a zone', 'application/json', JSON.stringify({ ...SESSION_BODY, expiresAt: '2026-11-28T06:00:00' })],
    ['an impossible expiresAt', 'application/json', JSON.stringify({ ...SESSION_BODY, expiresAt: '2026-13-45T06:00:00Z' })],
    [
      'an expiresAt on a day that does not exist',
      'application/json',
      JSON.stringify({ ...SESSION_BODY, expiresAt: '2026-02-31T06:00:00Z' }),
    ],
    ['an expiresAt at 24:00', 'application/json', JSON.stringify({ ...SESSION_BODY, expiresAt: '2026-11-28T24:00:00Z' })],
    ['a token with a line break', 'application/json', JSON.stringify({ ...SESSION_BODY, jwtToken: 'abc\ndef' })],
    ['a token with characters a header cannot carry', 'application/json', JSON.stringify({ ...SESSION_BODY, jwtToken: 'tök€n' })],
  ];
  for (const [name, contentType, body] of unexpected) {
    it(`turn a 2xx Session answer with ${name} into an ApiError with the raw body`, async () => {
      answer = (_request, response) => {
        response.writeHead(200, contentType ? { 'Content-Type': contentType } : {});
        response.end(body);
      };
      await assert.rejects(api().sessionGet(), (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, 200);
        assert.equal(error.responseBody, body);
        assert.match(error.message, /^Unexpected response \(200\)/);
        return true;
      });
    });
  }

  for (const body of ['', 'null', '[]']) {
    it(`turn a DELETE answer of ${JSON.stringify(body)} into an ApiError (it must be {})`, async () => {
      answer = (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(body);
      };
      await assert.rejects(api().sessionDelete(), (error: unknown) => error instanceof ApiError && error.code === 200);
    });
  }
});

describe('error answers', () => {
  it('become an ApiError: code, reason phrase as message, headers, raw and parsed body', async () => {
    const body = errorBody(401, 'Invalid email or password.', 'invalid_credentials');
    answer = (_request, response) => sendJson(response, 401, body, { 'WWW-Authenticate': 'Bearer realm="pacerpro"' });
    await assert.rejects(api().sessionPost({ email: 'a@example.com', password: 'nope' }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.name, 'ApiError');
      assert.equal(error.code, 401);
      assert.equal(error.message, 'Unauthorized');
      assert.equal(error.responseHeaders.get('www-authenticate'), 'Bearer realm="pacerpro"');
      assert.equal(error.responseBody, JSON.stringify(body));
      assert.deepEqual(error.body, body);
      return true;
    });
  });

  it("use the server's own reason phrase, and the standard one when it sends none", async () => {
    answer = (_request, response, index) => {
      if (index === 0) {
        response.writeHead(400, 'Bad Request Indeed');
        response.end('not json');
      } else {
        // node:http always writes a phrase; an empty one (as HTTP/2 or some proxies give) needs the raw socket.
        response.socket?.end('HTTP/1.1 429 \r\nContent-Length: 8\r\nConnection: close\r\n\r\nnot json');
      }
    };
    const messages = [];
    for (const call of [() => api().sessionGet(), () => api().sessionGet()]) {
      const error = await call().catch((e: unknown) => e);
      assert.ok(error instanceof ApiError);
      assert.equal(error.body, undefined);
      assert.equal(error.responseBody, 'not json');
      messages.push(error.message);
    }
    assert.deepEqual(messages, ['Bad Request Indeed', 'Too Many Requests']);
  });
});
