// Timeouts and retries against local endpoints that hang or fail on purpose; the backoff sleep is
// injected (recorded, not waited) so no test waits for real seconds.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiError, AuthenticationApi, type ConfigurationParameters, isConnectionRefused, parseRetryAfter } from '../src/index.js';
import { retryDelayMs, retryPolicy } from '../src/retry.js';
import { freePort } from './support/server.js';
import { errorBody, SESSION_BODY, sendJson, startStub, type StubHandler, type StubServer } from './support/stub-server.js';

let answer: StubHandler;
let stub: StubServer;
let delays: number[];

before(async () => {
  stub = await startStub((request, response, index) => answer(request, response, index));
});
after(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  delays = [];
});

const ok: StubHandler = (request, response) => sendJson(response, 200, request.method === 'DELETE' ? {} : SESSION_BODY);
/** Fails `times` times (counted by this handler), then answers ok. */
function failing(status: number, headers: Record<string, string> = {}, times = Infinity): StubHandler {
  let failures = 0;
  return (request, response, index) =>
    failures++ < times ? sendJson(response, status, errorBody(status, 'failing on purpose'), headers) : ok(request, response, index);
}

function api(parameters: ConfigurationParameters = {}) {
  return new AuthenticationApi({
    basePath: stub.basePath,
    retry: { sleep: async (ms) => void delays.push(ms), random: () => 0.5 },
    ...parameters,
  });
}

const user = { email: 'a@example.com', password: 'pw' };
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => (assert.ok(error instanceof ApiError, String(error)), error),
  );

describe('timeouts', { timeout: 10_000 }, () => {
  it('give ApiError code 0 with the timeout as cause when the endpoint never answers', async () => {
    answer = () => {}; // never answers
    const error = await rejection(api({ timeoutMs: 100, retry: false }).sessionGet());
    assert.equal(error.code, 0);
    assert.equal((error.cause as Error).name, 'TimeoutError');
    assert.match(error.message, /Timed out after 100 ms waiting for GET http:\/\/127\.0\.0\.1:\d+\/v1\/session/);
    assert.equal(error.responseBody, undefined);
  });

  it('also bound reading a body that never ends', async () => {
    answer = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{"jwtToken":');
    };
    const error = await rejection(api({ timeoutMs: 100, retry: false }).sessionGet());
    assert.equal(error.code, 0);
    assert.equal((error.cause as Error).name, 'TimeoutError');
  });

  it('are retried for GET, never for POST (it may have arrived)', async () => {
    answer = () => {};
    await rejection(api({ timeoutMs: 50 }).sessionGet());
    assert.equal(stub.requests.length, 3);
    stub.requests.length = 0;
    await rejection(api({ timeoutMs: 50 }).sessionPost(user));
    assert.equal(stub.requests.length, 1);
  });
});

describe('retries of GET and DELETE', () => {
  for (const status of [502, 503, 504]) {
    it(`retry ${status} with exponential backoff and jitter, then give up with the last error`, async () => {
      answer = failing(status);
      const error = await rejection(api().sessionGet());
      assert.equal(error.code, status);
      assert.equal(stub.requests.length, 3);
      // random() = 0.5 and equal jitter: half of 200 fixed + a quarter of 200, then of 400.
      assert.deepEqual(delays, [150, 300]);
    });
  }

  it('succeed when a retry succeeds', async () => {
    answer = failing(503, {}, 2);
    assert.equal((await api().sessionGet()).jwtToken, SESSION_BODY.jwtToken);
    await api().sessionDelete();
    assert.deepEqual(
      stub.requests.map((r) => r.method),
      ['GET', 'GET', 'GET', 'DELETE'],
    );
  });

  it('retry a connection the server drops before answering', async () => {
    answer = (request, response, index) => (index === 0 ? response.socket?.destroy() : ok(request, response, index));
    await api().sessionDelete();
    assert.equal(stub.requests.length, 2);
  });

  it('wait what Retry-After says in seconds, on 429 and 503', async () => {
    answer = failing(429, { 'Retry-After': '2' }, 1);
    await api().sessionGet();
    answer = failing(503, { 'Retry-After': '0' }, 1);
    await api().sessionGet();
    assert.deepEqual(delays, [2000, 0]);
  });

  it('wait until a Retry-After HTTP date', async () => {
    answer = failing(503, { 'Retry-After': new Date(Date.now() + 3000).toUTCString() }, 1);
    await api().sessionGet();
    assert.equal(delays.length, 1);
    assert.ok(delays[0]! > 1000 && delays[0]! <= 3000, `waited ${delays[0]} ms`);
  });

  it('give up at once when Retry-After is longer than maxRetryAfterMs', async () => {
    answer = failing(429, { 'Retry-After': '120' });
    const error = await rejection(api().sessionGet());
    assert.equal(error.code, 429);
    assert.equal(error.message, 'Too Many Requests');
    assert.equal(error.responseHeaders.get('retry-after'), '120');
    assert.equal(stub.requests.length, 1);
  });

  it('do not retry other errors', async () => {
    for (const status of [400, 401, 500]) {
      answer = failing(status);
      await rejection(api().sessionGet());
    }
    assert.equal(stub.requests.length, 3);
  });

  it('are off with retry: false', async () => {
    answer = failing(503);
    await rejection(api({ retry: false }).sessionGet());
    assert.equal(stub.requests.length, 1);
  });
});

describe('retries of POST', () => {
  it('never on 503 or 429: the login may have been counted', async () => {
    for (const status of [503, 429]) {
      answer = failing(status, { 'Retry-After': '1' });
      const error = await rejection(api().sessionPost(user));
      assert.equal(error.code, status);
    }
    assert.equal(stub.requests.length, 2);
  });

  it('never after a dropped connection: the request had arrived', async () => {
    answer = (_request, response) => response.socket?.destroy();
    const error = await rejection(api().sessionPost(user));
    assert.equal(error.code, 0);
    assert.equal(stub.requests.length, 1);
  });

  it('when the connection was refused, and it then succeeds once the server is up', async () => {
    const port = await freePort();
    let server: StubServer | undefined;
    let attempts = 0;
    const client = new AuthenticationApi({
      basePath: `http://127.0.0.1:${port}/v1`,
      fetch: (input, init) => (attempts++, fetch(input, init)),
      retry: {
        random: () => 0.5,
        // The server comes up while the client backs off.
        sleep: async () => {
          server ??= await startStub(ok, port);
        },
      },
    });
    try {
      assert.equal((await client.sessionPost(user)).jwtToken, SESSION_BODY.jwtToken);
      assert.equal(attempts, 2);
      assert.equal(server?.requests.length, 1);
    } finally {
      await server?.close();
    }
  });

  it('gives up after the retries when the connection stays refused, with ECONNREFUSED in the cause', async () => {
    const port = await freePort();
    let attempts = 0;
    const client = new AuthenticationApi({
      basePath: `http://127.0.0.1:${port}/v1`,
      fetch: (input, init) => (attempts++, fetch(input, init)),
      retry: { sleep: async (ms) => void delays.push(ms) },
    });
    const error = await rejection(client.sessionPost(user));
    assert.equal(error.code, 0);
    assert.ok(isConnectionRefused(error.cause));
    assert.match(error.message, new RegExp(`Cannot reach http://127.0.0.1:${port}/v1/session: connect ECONNREFUSED`));
    assert.equal(attempts, 3);
  });
});

describe('the policy', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-28T06:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Sat, 28 Nov 2026 06:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Sat, 28 Nov 2026 05:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-1', now), undefined);
  });

  it('caps the backoff at maxDelayMs', () => {
    const policy = retryPolicy({ retries: 10, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 });
    const error = new ApiError({ code: 503 });
    const steps = [0, 1, 2, 3, 4, 5].map((retry) => Math.round(retryDelayMs(policy, 'GET', error, retry)!));
    assert.deepEqual(steps, [100, 200, 400, 800, 1000, 1000]);
  });

  it('counts a connection refused only when every address refused', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    assert.ok(isConnectionRefused(new TypeError('fetch failed', { cause: refused })));
    assert.ok(isConnectionRefused(new TypeError('fetch failed', { cause: new AggregateError([refused, refused]) })));
    assert.ok(!isConnectionRefused(new TypeError('fetch failed', { cause: new AggregateError([refused, reset]) })));
    assert.ok(!isConnectionRefused(new TypeError('fetch failed', { cause: reset })));
    assert.ok(!isConnectionRefused(new TypeError('Failed to fetch')));
  });
});
