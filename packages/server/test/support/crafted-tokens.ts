import { createHmac } from 'node:crypto';

// Tokens an attacker might craft (RFC 8725, OWASP ASVS V3.5): each differs from a valid token
// for the same user in one way only, so refusing it proves that one check.

export const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function sign(header: unknown, payload: unknown, secret: string, algorithm = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(algorithm, secret).update(input).digest('base64url')}`;
}

export interface ValidClaims {
  readonly jti: string;
  readonly sub: number;
  readonly scp: string;
  readonly exp: number;
}

export function craftedTokens(secret: string, claims: ValidClaims): Array<[name: string, token: string]> {
  const HEADER = { alg: 'HS256', typ: 'JWT' };
  const { jti, sub, scp, exp } = claims;
  const s = (header: unknown, payload: unknown) => sign(header, payload, secret);
  const valid = s(HEADER, claims);
  const [h, p, signature] = valid.split('.') as [string, string, string];
  return [
    ['alg none, no signature', `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`],
    ['alg none, signature kept', `${b64({ alg: 'none', typ: 'JWT' })}.${p}.${signature}`],
    ['alg NONE', `${b64({ alg: 'NONE' })}.${p}.`],
    ['HS512 with the same secret', sign({ alg: 'HS512', typ: 'JWT' }, claims, secret, 'sha512')],
    ['HS384 with the same secret', sign({ alg: 'HS384', typ: 'JWT' }, claims, secret, 'sha384')],
    ['RS256 header over an HMAC', s({ alg: 'RS256', typ: 'JWT' }, claims)],
    ['wrong secret', sign(HEADER, claims, 'another-secret-another-secret-another')],
    ['empty secret', sign(HEADER, claims, '')],
    ['tampered payload', `${h}.${b64({ ...claims, sub: sub + 1 })}.${signature}`],
    ['truncated signature', valid.slice(0, -4)],
    ['signature of another token', `${h}.${p}.${s(HEADER, { ...claims, sub: sub + 1 }).split('.')[2]}`],
    ['kid header', s({ ...HEADER, kid: '../../dev/null' }, claims)],
    ['jku header', s({ ...HEADER, jku: 'https://attacker.example/jwks' }, claims)],
    ['x5u header', s({ ...HEADER, x5u: 'https://attacker.example/cert' }, claims)],
    ['crit header', s({ ...HEADER, crit: ['exp'] }, claims)],
    ['jwk header', s({ ...HEADER, jwk: { kty: 'oct', k: 'AA' } }, claims)],
    ['typ other than JWT', s({ alg: 'HS256', typ: 'at+jwt' }, claims)],
    ['missing exp', s(HEADER, { jti, sub, scp })],
    ['exp as a string', s(HEADER, { ...claims, exp: String(exp) })],
    ['exp as a fraction', s(HEADER, { ...claims, exp: exp + 0.5 })],
    ['missing sub', s(HEADER, { jti, scp, exp })],
    ['sub with a leading zero', s(HEADER, { ...claims, sub: `0${sub}` })],
    ['sub a non-numeric string', s(HEADER, { ...claims, sub: `${sub}a` })],
    ['sub a padded string', s(HEADER, { ...claims, sub: ` ${sub}` })],
    ['sub a boolean', s(HEADER, { ...claims, sub: true })],
    ['sub zero', s(HEADER, { ...claims, sub: 0 })],
    ['sub negative', s(HEADER, { ...claims, sub: -sub })],
    ['sub a fraction', s(HEADER, { ...claims, sub: sub + 0.5 })],
    ['missing jti', s(HEADER, { sub, scp, exp })],
    ['jti not a uuid', s(HEADER, { ...claims, jti: 'abc' })],
    ['jti a number', s(HEADER, { ...claims, jti: 42 })],
    ['missing scp', s(HEADER, { jti, sub, exp })],
    ['scp admin', s(HEADER, { ...claims, scp: 'admin' })],
    ['scp as an array', s(HEADER, { ...claims, scp: [scp] })],
    // Extra claims (an app's jwt_payload) are read and ignored, but registered ones keep their meaning.
    ['nbf in the future', s(HEADER, { ...claims, nbf: exp })],
    ['nbf as a string', s(HEADER, { ...claims, nbf: String(exp - 3600) })],
    ['iat in the future', s(HEADER, { ...claims, iat: exp })],
    ['iat as a string', s(HEADER, { ...claims, iat: String(exp - 3600) })],
    ['iss a number', s(HEADER, { ...claims, iss: 42 })],
    ['aud an object', s(HEADER, { ...claims, aud: { admin: true } })],
    [
      'more claims than a token may carry',
      s(HEADER, { ...claims, ...Object.fromEntries(Array.from({ length: 29 }, (_, i) => [`c${i}`, i])) }),
    ],
    ['a token longer than an Authorization header may be', s(HEADER, { ...claims, email: `${'a'.repeat(4096)}@example.com` })],
    ['payload an array', s(HEADER, [claims])],
    ['payload not JSON', `${h}.${b64('not json')}.${signature}`],
    ['header not JSON', `${b64('{alg')}.${p}.${signature}`],
    ['two segments', `${h}.${p}`],
    ['four segments', `${valid}.${signature}`],
    ['empty string', ''],
  ];
}
