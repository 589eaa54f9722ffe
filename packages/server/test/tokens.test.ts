import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { createTokenService } from '../src/auth/tokens.js';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const NOW = Date.UTC(2026, 10, 28, 6, 0, 0);
const JTI = '0b6f7c1e-3c2a-4d5e-8f90-123456789abc';
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const sign = (header: unknown, payload: unknown, secret = SECRET, algorithm = 'sha256') => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(algorithm, secret).update(input).digest('base64url')}`;
};
const HEADER = { alg: 'HS256', typ: 'JWT' };
const CLAIMS = { jti: JTI, sub: 7, scp: 'user', exp: NOW / 1000 + 60 };

describe('issue', () => {
  test('signs exactly {jti, sub, scp, exp} with exp = now + ttl, and says when it expires', () => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: 3600, now: () => NOW });
    const { token, expiresAt } = tokens.issue({ id: 7, jti: JTI });
    assert.equal(token, sign(HEADER, { jti: JTI, sub: 7, scp: 'user', exp: NOW / 1000 + 3600 }));
    assert.equal(expiresAt.toISOString(), '2026-11-28T07:00:00.000Z');
  });
});

describe('verify', () => {
  const tokens = createTokenService({ secret: SECRET, ttlSeconds: 3600, now: () => NOW });

  test('accepts our tokens and devise-jwt\'s form ({"alg":"HS256"}, with iat and aud)', () => {
    assert.deepEqual(tokens.verify(sign(HEADER, CLAIMS)), { ok: true, claims: CLAIMS });
    const devise = sign({ alg: 'HS256' }, { sub: 7, scp: 'user', aud: null, iat: NOW / 1000, exp: NOW / 1000 + 60, jti: JTI });
    assert.deepEqual(tokens.verify(devise), { ok: true, claims: CLAIMS });
  });

  test('expiry follows the injected clock; a leeway is configurable', () => {
    const at = (ms: number, leewaySeconds = 0) => createTokenService({ secret: SECRET, ttlSeconds: 1, now: () => ms, leewaySeconds });
    const token = sign(HEADER, CLAIMS);
    assert.equal(at(NOW + 59_999).verify(token).ok, true);
    assert.deepEqual(at(NOW + 60_000).verify(token), { ok: false, reason: 'token_expired' });
    assert.equal(at(NOW + 60_000, 5).verify(token).ok, true);
    assert.deepEqual(at(NOW + 65_000, 5).verify(token), { ok: false, reason: 'token_expired' });
  });

  // Crafted tokens an attacker might try (RFC 8725): each must be refused as invalid.
  const valid = sign(HEADER, CLAIMS);
  const [validHeader, validPayload, validSignature] = valid.split('.') as [string, string, string];
  const crafted: Array<[string, string]> = [
    ['alg none, no signature', `${b64({ alg: 'none', typ: 'JWT' })}.${validPayload}.`],
    ['alg none, signature kept', `${b64({ alg: 'none', typ: 'JWT' })}.${validPayload}.${validSignature}`],
    ['alg NONE', `${b64({ alg: 'NONE' })}.${validPayload}.`],
    ['HS512 with the same secret', sign({ alg: 'HS512', typ: 'JWT' }, CLAIMS, SECRET, 'sha512')],
    ['HS384 with the same secret', sign({ alg: 'HS384', typ: 'JWT' }, CLAIMS, SECRET, 'sha384')],
    ['RS256 header over an HMAC', sign({ alg: 'RS256', typ: 'JWT' }, CLAIMS)],
    ['wrong secret', sign(HEADER, CLAIMS, 'another-secret-another-secret-another')],
    ['empty secret', sign(HEADER, CLAIMS, '')],
    ['tampered payload', `${validHeader}.${b64({ ...CLAIMS, sub: 1 })}.${validSignature}`],
    ['truncated signature', valid.slice(0, -4)],
    ['signature of another token', `${validHeader}.${validPayload}.${sign(HEADER, { ...CLAIMS, sub: 8 }).split('.')[2]}`],
    ['kid header', sign({ ...HEADER, kid: '../../dev/null' }, CLAIMS)],
    ['jku header', sign({ ...HEADER, jku: 'https://attacker.example/jwks' }, CLAIMS)],
    ['x5u header', sign({ ...HEADER, x5u: 'https://attacker.example/cert' }, CLAIMS)],
    ['crit header', sign({ ...HEADER, crit: ['exp'] }, CLAIMS)],
    ['jwk header', sign({ ...HEADER, jwk: { kty: 'oct', k: 'AA' } }, CLAIMS)],
    ['typ other than JWT', sign({ alg: 'HS256', typ: 'at+jwt' }, CLAIMS)],
    ['missing exp', sign(HEADER, { jti: JTI, sub: 7, scp: 'user' })],
    ['exp as a string', sign(HEADER, { ...CLAIMS, exp: String(CLAIMS.exp) })],
    ['exp as a fraction', sign(HEADER, { ...CLAIMS, exp: CLAIMS.exp + 0.5 })],
    ['missing sub', sign(HEADER, { jti: JTI, scp: 'user', exp: CLAIMS.exp })],
    ['sub as a string', sign(HEADER, { ...CLAIMS, sub: '7' })],
    ['sub zero', sign(HEADER, { ...CLAIMS, sub: 0 })],
    ['sub negative', sign(HEADER, { ...CLAIMS, sub: -7 })],
    ['sub a fraction', sign(HEADER, { ...CLAIMS, sub: 7.5 })],
    ['missing jti', sign(HEADER, { sub: 7, scp: 'user', exp: CLAIMS.exp })],
    ['jti not a uuid', sign(HEADER, { ...CLAIMS, jti: 'abc' })],
    ['jti a number', sign(HEADER, { ...CLAIMS, jti: 42 })],
    ['missing scp', sign(HEADER, { jti: JTI, sub: 7, exp: CLAIMS.exp })],
    ['scp admin', sign(HEADER, { ...CLAIMS, scp: 'admin' })],
    ['scp as an array', sign(HEADER, { ...CLAIMS, scp: ['user'] })],
    ['an extra claim', sign(HEADER, { ...CLAIMS, admin: true })],
    ['payload an array', sign(HEADER, [CLAIMS])],
    ['payload not JSON', `${validHeader}.${b64('not json')}.${validSignature}`],
    ['header not JSON', `${b64('{alg')}.${validPayload}.${validSignature}`],
    ['two segments', `${validHeader}.${validPayload}`],
    ['four segments', `${valid}.${validSignature}`],
    ['empty string', ''],
  ];
  for (const [name, token] of crafted) {
    test(`refuses: ${name}`, () => {
      assert.deepEqual(tokens.verify(token), { ok: false, reason: 'invalid_token' });
    });
  }
});
