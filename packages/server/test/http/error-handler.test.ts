import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import {
  AuthError,
  InvalidCredentialsError,
  LoginThrottledError,
  TokenRefusedError,
  type TokenRefusal,
} from '../../src/auth/auth-errors.js';
import { ERRORS, errorBody } from '../../src/errors.js';
import { registerErrorHandling } from '../../src/http/error-handler.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';

// The session logic throws errors that carry facts, not HTTP; the error handler alone decides the
// status, the headers and the body. An app with one route that throws whatever a test hands it.

async function answerTo(error: Error) {
  const app = Fastify();
  registerErrorHandling(app);
  app.get('/fail', async () => {
    throw error;
  });
  try {
    const res = await app.inject({ method: 'GET', url: '/fail' });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  } finally {
    await app.close();
  }
}

test('a throttled login answers 429 with Retry-After carrying the seconds the session logic computed', async () => {
  for (const seconds of [1, 7, 900]) {
    const res = await answerTo(new LoginThrottledError(seconds, 'unknown'));
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after'], String(seconds));
    assert.equal(res.headers['www-authenticate'], undefined);
    assert.equal(res.body, JSON.stringify(errorBody('login_throttled')));
  }
});

test('a refused token or a failed login answers 401 with its own code and the WWW-Authenticate challenge', async () => {
  const refusals: TokenRefusal[] = ['invalid_token', 'token_expired', 'token_revoked', 'session_too_old'];
  for (const error of [new InvalidCredentialsError(), ...refusals.map((reason) => new TokenRefusedError(reason))]) {
    const res = await answerTo(error);
    assert.equal(res.status, 401, error.code);
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="pacerpro"', error.code);
    assert.equal(res.headers['retry-after'], undefined, error.code);
    assert.equal(res.body, JSON.stringify(errorBody(error.code)), error.code);
  }
});

test('a store outage answers 503 service_unavailable with Retry-After: 1, never its own message', async () => {
  const res = await answerTo(new StoreUnavailableError('PostgreSQL at db.internal:5432 is unavailable: connect ECONNREFUSED'));
  assert.equal(res.status, 503);
  assert.equal(res.headers['retry-after'], '1');
  assert.equal(res.body, JSON.stringify(errorBody('service_unavailable')));
});

test('a failure the handler does not know answers 500 internal_error with the generic message, never its own', async () => {
  const res = await answerTo(new Error('a bug'));
  assert.equal(res.status, 500);
  assert.equal(res.body, JSON.stringify(errorBody('internal_error')));
});

test('every domain error takes its status and message from its row of ERRORS', () => {
  const errors: AuthError[] = [
    new InvalidCredentialsError(),
    new LoginThrottledError(3, 'unknown'),
    new TokenRefusedError('token_revoked'),
  ];
  for (const error of errors) {
    assert.equal(error.message, ERRORS[error.code].message, error.code);
    assert.ok(error instanceof AuthError, error.code);
  }
});
