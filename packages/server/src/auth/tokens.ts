import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { type Keyring, type SecretLabel, secretLabel } from './keyring.js';

// Tokens in devise-jwt's JTIMatcher form: header {"alg":"HS256","typ":"JWT"}, payload exactly
// {jti, sub, scp, exp}. fast-jwt signs with node:crypto's synchronous HMAC, so signing never queues
// behind password hashes on the libuv pool (jose's HMAC goes through WebCrypto, which does).
// A hand-written node:crypto HS256 was measured a little faster, not enough to leave a maintained
// library for (bench/NOTES.md, "Declined or left"). The algorithm is pinned to HS256; time
// comes from an injectable clock.

export interface TokenClaims {
  readonly jti: string;
  readonly sub: number;
  readonly scp: 'user';
  readonly exp: number;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export type VerifyResult =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly reason: 'invalid_token' | 'token_expired' };

export interface TokenService {
  /** Signs with the keyring's current secret. */
  issue(user: { readonly id: number; readonly jti: string }): IssuedToken;
  verify(token: string): VerifyResult;
  /** Replaces the secrets (a rotation picked up while running); tokens issued from now on use its current one. */
  useKeyring(keyring: Keyring): void;
}

export interface TokenOptions {
  /** The secret that signs; `keyring` adds the previous ones that still verify. */
  readonly secret?: string;
  readonly keyring?: Keyring;
  /** Told which secret each signature check matched (the metric pacerpro_jwt_verifications_total). */
  readonly observe?: (secret: SecretLabel) => void;
  readonly ttlSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** Seconds a token is still accepted past its exp, for clocks that disagree across nodes. */
  readonly leewaySeconds?: number;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// devise-jwt (ruby-jwt) also writes iat and aud; accept them so its tokens verify, nothing else.
const ALLOWED_CLAIMS = new Set(['jti', 'sub', 'scp', 'exp', 'iat', 'aud']);

/** Checks the decoded header and payload field by field; returns the claims or undefined. */
export function readClaims(header: Record<string, unknown>, payload: Record<string, unknown>): TokenClaims | undefined {
  // ruby-jwt writes {"alg":"HS256"} with no typ; we write typ "JWT". Any other header field
  // (kid, jku, x5u, crit, …) could steer key selection: refuse it.
  const headerKeys = Object.keys(header);
  if (header.alg !== 'HS256' || headerKeys.some((k) => k !== 'alg' && k !== 'typ')) return undefined;
  if ('typ' in header && header.typ !== 'JWT') return undefined;

  const { jti, sub, scp, exp, iat, aud } = payload;
  if (Object.keys(payload).some((k) => !ALLOWED_CLAIMS.has(k))) return undefined;
  if (typeof jti !== 'string' || !UUID.test(jti)) return undefined;
  const userId = readSubject(sub);
  if (userId === undefined) return undefined;
  if (scp !== 'user') return undefined;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp)) return undefined;
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isSafeInteger(iat))) return undefined;
  if (aud !== undefined && aud !== null && typeof aud !== 'string') return undefined;
  return { jti, sub: userId, scp, exp };
}

/**
 * The user id in `sub`. We write a JSON number (docs/contract.md); warden-jwt_auth (devise-jwt) has
 * written String(id) since 0.1.3, so a canonical decimal string is read too — nothing looser
 * ("07", "7a", " 7", "7.0" are refused), so one id has exactly two spellings.
 */
function readSubject(sub: unknown): number | undefined {
  if (typeof sub === 'number') return Number.isSafeInteger(sub) && sub >= 1 ? sub : undefined;
  if (typeof sub !== 'string' || !/^[1-9]\d{0,15}$/.test(sub)) return undefined;
  const id = Number(sub);
  return Number.isSafeInteger(id) ? id : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

interface Keys {
  readonly sign: (claims: TokenClaims) => string;
  /** One verifier per secret, current first. */
  readonly verifiers: readonly ((token: string) => { header: unknown; payload: unknown })[];
}

function keysOf({ current, previous }: Keyring): Keys {
  // Expiry is checked below against the injected clock, not fast-jwt's own.
  const verifier = (secret: string) =>
    createVerifier({
      key: Buffer.from(secret, 'utf8'),
      algorithms: ['HS256'],
      complete: true,
      ignoreExpiration: true,
      ignoreNotBefore: true,
    });
  return {
    sign: createSigner({ key: Buffer.from(current, 'utf8'), algorithm: 'HS256', noTimestamp: true }),
    verifiers: [current, ...previous].map(verifier),
  };
}

const badSignature = (error: unknown) => error instanceof TokenError && error.code === TokenError.codes.invalidSignature;

export function createTokenService({
  secret,
  keyring,
  observe,
  ttlSeconds,
  now = Date.now,
  leewaySeconds = 0,
}: TokenOptions): TokenService {
  if (!keyring && secret === undefined) throw new TypeError('createTokenService needs a secret or a keyring');
  let keys = keysOf(keyring ?? { current: secret!, previous: [] });
  const invalid = { ok: false, reason: 'invalid_token' } as const;

  /** The decoded token, its signature checked against the keyring (keyring.ts); undefined when malformed or signed by none. */
  function decode(token: string): { header: unknown; payload: unknown } | undefined {
    const { verifiers } = keys;
    for (let i = 0; i < verifiers.length; i++) {
      try {
        const decoded = verifiers[i]!(token);
        observe?.(secretLabel(i));
        return decoded;
      } catch (error) {
        // Malformed, or any refusal but a signature another secret may match: no other secret is tried.
        if (!badSignature(error)) return undefined;
      }
    }
    observe?.('none');
    return undefined;
  }

  return {
    issue({ id, jti }) {
      const exp = Math.floor(now() / 1000) + ttlSeconds;
      // Key order is the wire order: {"jti":…,"sub":…,"scp":"user","exp":…}.
      const claims: TokenClaims = { jti, sub: id, scp: 'user', exp };
      return { token: keys.sign(claims), expiresAt: new Date(exp * 1000) };
    },
    verify(token) {
      const decoded = decode(token);
      if (!decoded || !isObject(decoded.header) || !isObject(decoded.payload)) return invalid;
      const claims = readClaims(decoded.header, decoded.payload);
      if (!claims) return invalid;
      // Expiry against the injected clock, so tests see a token expire without sleeping.
      if (Math.floor(now() / 1000) >= claims.exp + leewaySeconds) return { ok: false, reason: 'token_expired' };
      return { ok: true, claims };
    },
    useKeyring(keyring) {
      keys = keysOf(keyring);
    },
  };
}
