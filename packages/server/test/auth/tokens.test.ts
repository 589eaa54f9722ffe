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
