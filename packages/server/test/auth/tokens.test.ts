import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTokenService } from '../../src/auth/tokens.js';
import { craftedTokens, sign } from '../support/crafted-tokens.js';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const NOW = Date.UTC(2026, 10, 28, 6, 0, 0);
const JTI = '0b6f7c1e-3c2a-4d5e-8f90-123456789abc';
const HEADER = { alg: 'HS256', typ: 'JWT' };
const CLAIMS = { jti: JTI, sub: 7, scp: 'user', exp: NOW / 1000 + 60 };

describe('issue', () => {
  test('signs exactly {jti, sub, scp, exp} with exp = now + ttl, and says when it expires', () => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: 3600, now: () => NOW });
    const { token, expiresAt } = tokens.issue({ id: 7, jti: JTI });
    assert.equal(token, sign(HEADER, { jti: JTI, sub: 7, scp: 'user', exp: NOW / 1000 + 3600 }, SECRET));
    assert.equal(expiresAt.toISOString(), '2026-11-28T07:00:00.000Z');
  });

  test("with an issuer, writes iss after the contract's four claims, which keep their order", () => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: 3600, now: () => NOW, issuer: 'https://rails.example' });
    const { token } = tokens.issue({ id: 7, jti: JTI });
    const payload = { jti: JTI, sub: 7, scp: 'user', exp: NOW / 1000 + 3600, iss: 'https://rails.example' };
    assert.equal(token, sign(HEADER, payload, SECRET));
  });
});

// warden-jwt_auth's exact shape: bare {"alg":"HS256"} header, string sub, iat, aud null, then the
// model's jwt_payload merged in, and iss when the Rails app sets config.jwt.issuer.
const rails = (extra: Record<string, unknown> = {}) =>
  sign({ alg: 'HS256' }, { sub: '7', scp: 'user', aud: null, iat: NOW / 1000, exp: NOW / 1000 + 60, jti: JTI, ...extra }, SECRET);

describe('verify, tokens of a live devise-jwt backend', () => {
  const plain = createTokenService({ secret: SECRET, ttlSeconds: 3600, now: () => NOW });
  const withIssuer = createTokenService({ secret: SECRET, ttlSeconds: 3600, now: () => NOW, issuer: 'rails-app' });

  test("an app's jwt_payload claims are ignored, not refused", () => {
    assert.deepEqual(plain.verify(rails({ email: 'alice@example.com', role: 'admin' })), { ok: true, claims: CLAIMS });
  });

  test('no issuer configured: a token with or without iss is accepted', () => {
    assert.deepEqual(plain.verify(rails({ iss: 'rails-app' })), { ok: true, claims: CLAIMS });
    assert.deepEqual(plain.verify(rails()), { ok: true, claims: CLAIMS });
  });

  test('issuer configured: the same iss is accepted, with app claims too', () => {
    assert.deepEqual(withIssuer.verify(rails({ iss: 'rails-app', email: 'alice@example.com' })), { ok: true, claims: CLAIMS });
    assert.equal(withIssuer.verify(withIssuer.issue({ id: 7, jti: JTI }).token).ok, true);
  });

  test('issuer configured: another iss is refused', () => {
    assert.deepEqual(withIssuer.verify(rails({ iss: 'another-app' })), { ok: false, reason: 'invalid_token' });
    assert.deepEqual(withIssuer.verify(rails({ iss: 'rails-app ' })), { ok: false, reason: 'invalid_token' });
  });

  test('issuer configured: a token without iss (issued before the issuer was set) is refused, as ruby-jwt refuses it', () => {
    assert.deepEqual(withIssuer.verify(rails()), { ok: false, reason: 'invalid_token' });
    assert.deepEqual(withIssuer.verify(plain.issue({ id: 7, jti: JTI }).token), { ok: false, reason: 'invalid_token' });
  });

  test('nbf and a future iat are honoured within the leeway, and refused beyond it', () => {
    const at = (leewaySeconds: number) => createTokenService({ secret: SECRET, ttlSeconds: 3600, now: () => NOW, leewaySeconds });
    const soon = NOW / 1000 + 5;
    assert.deepEqual(at(0).verify(rails({ nbf: soon })), { ok: false, reason: 'invalid_token' });
    assert.deepEqual(at(5).verify(rails({ nbf: soon })), { ok: true, claims: CLAIMS });
    assert.deepEqual(at(0).verify(rails({ nbf: NOW / 1000 })), { ok: true, claims: CLAIMS });
    assert.deepEqual(at(0).verify(rails({ iat: soon })), { ok: false, reason: 'invalid_token' });
    assert.deepEqual(at(5).verify(rails({ iat: soon })), { ok: true, claims: CLAIMS });
  });

  test('the claim count bound is at its edge: 32 claims are read, 33 are refused', () => {
    const fill = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, i]));
    // rails() carries 6 claims.
    assert.equal(plain.verify(rails(fill(26))).ok, true);
    assert.deepEqual(plain.verify(rails(fill(27))), { ok: false, reason: 'invalid_token' });
  });
});

describe('verify', () => {
  const tokens = createTokenService({ secret: SECRET, ttlSeconds: 3600, now: () => NOW });

  test('accepts our tokens and devise-jwt\'s form ({"alg":"HS256"}, with iat and aud)', () => {
    assert.deepEqual(tokens.verify(sign(HEADER, CLAIMS, SECRET)), { ok: true, claims: CLAIMS });
    const devise = sign({ alg: 'HS256' }, { sub: 7, scp: 'user', aud: null, iat: NOW / 1000, exp: NOW / 1000 + 60, jti: JTI }, SECRET);
    assert.deepEqual(tokens.verify(devise), { ok: true, claims: CLAIMS });
    // warden-jwt_auth writes the id as a string: "sub":"7".
    const deviseStringSub = sign(
      { alg: 'HS256' },
      { sub: '7', scp: 'user', aud: null, iat: NOW / 1000, exp: NOW / 1000 + 60, jti: JTI },
      SECRET,
    );
    assert.deepEqual(tokens.verify(deviseStringSub), { ok: true, claims: CLAIMS });
  });

  test('expiry follows the injected clock; a leeway is configurable', () => {
    const at = (ms: number, leewaySeconds = 0) => createTokenService({ secret: SECRET, ttlSeconds: 1, now: () => ms, leewaySeconds });
    const token = sign(HEADER, CLAIMS, SECRET);
    assert.equal(at(NOW + 59_999).verify(token).ok, true);
    assert.deepEqual(at(NOW + 60_000).verify(token), { ok: false, reason: 'token_expired' });
    assert.equal(at(NOW + 60_000, 5).verify(token).ok, true);
    assert.deepEqual(at(NOW + 65_000, 5).verify(token), { ok: false, reason: 'token_expired' });
  });

  const crafted = craftedTokens(SECRET, CLAIMS);
  for (const [name, token] of crafted) {
    test(`refuses: ${name}`, () => {
      assert.deepEqual(tokens.verify(token), { ok: false, reason: 'invalid_token' });
    });
  }
});
