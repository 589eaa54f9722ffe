import { createVerifier, TokenError } from 'fast-jwt';
import { hs256Signer } from './hs256-signer.js';
import { type Keyring, type SecretLabel, verificationOrder } from './keyring.js';

// Tokens in devise-jwt's JTIMatcher form: header {"alg":"HS256","typ":"JWT"}, payload exactly
// {jti, sub, scp, exp}, then iss when PACERPRO_JWT_ISSUER is set. What a client sends is verified
// by fast-jwt, a maintained library, algorithm pinned to HS256; our own tokens are signed by
// hs256-signer.ts, which writes fast-jwt's bytes for a tenth less work per refresh (bench/NOTES.md,
// "Signing"). Both use node:crypto's synchronous HMAC, so they never queue behind password hashes
// on the libuv pool. Time comes from an injectable clock.

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

/** The secrets: one that signs and verifies, or a keyring that adds the previous ones; never both. */
export type TokenKeys = { readonly secret: string; readonly keyring?: never } | { readonly keyring: Keyring; readonly secret?: never };

export type TokenOptions = TokenKeys & {
  /** Told which secret each signature check matched (the metric pacerpro_jwt_verifications_total). */
  readonly observe?: (secret: SecretLabel) => void;
  readonly ttlSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** Seconds a token is still accepted past its exp, for clocks that disagree across nodes. */
  readonly leewaySeconds?: number;
  /** devise-jwt's `issuer`: written as `iss` on our tokens, and required (equal) on every token read. */
  readonly issuer?: string | undefined;
};

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// We read claims beyond our own (an app's jwt_payload: an e-mail, a role) and ignore them, so the
// payload is bounded before it is decoded: a token is at most what an Authorization header may carry
// (src/http/authorization.ts), and its claims are few.
export const MAX_TOKEN_LENGTH = 4096;
export const MAX_CLAIMS = 32;

/** What a token's claims must match besides its signature: the configured issuer, when there is one. */
export interface ClaimExpectations {
  readonly issuer?: string;
}

/** The claims a token carries that bear on whether it is accepted now; everything else is ignored. */
export interface ReadClaims extends TokenClaims {
  readonly iat?: number;
  readonly nbf?: number;
}

const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/** Checks the decoded header and payload field by field; returns the claims or undefined. */
export function readClaims(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  expected: ClaimExpectations = {},
): ReadClaims | undefined {
  // ruby-jwt writes {"alg":"HS256"} with no typ; we write typ "JWT". Any other header field
  // (kid, jku, x5u, crit, …) could steer key selection: refuse it.
  const headerKeys = Object.keys(header);
  if (header.alg !== 'HS256' || headerKeys.some((k) => k !== 'alg' && k !== 'typ')) return undefined;
  if ('typ' in header && header.typ !== 'JWT') return undefined;

  if (Object.keys(payload).length > MAX_CLAIMS) return undefined;
  const { jti, sub, scp, exp, iat, nbf, aud, iss } = payload;
  if (typeof jti !== 'string' || !UUID.test(jti)) return undefined;
  const userId = readSubject(sub);
  if (userId === undefined) return undefined;
  if (scp !== 'user') return undefined;
  if (!isNumericDate(exp)) return undefined;
  if (iat !== undefined && !isNumericDate(iat)) return undefined;
  if (nbf !== undefined && !isNumericDate(nbf)) return undefined;
  // warden-jwt_auth writes aud: null unless the app sets an aud_header; we have no audience to match.
  if (aud !== undefined && aud !== null && typeof aud !== 'string') return undefined;
  if (iss !== undefined && typeof iss !== 'string') return undefined;
  // With an issuer configured a token without iss is refused, as ruby-jwt's verify_iss refuses it on
  // the Rails side: both backends answer one token alike (docs/devise.md, "Running beside Devise").
  if (expected.issuer !== undefined && iss !== expected.issuer) return undefined;
  return { jti, sub: userId, scp, exp, ...(iat === undefined ? {} : { iat }), ...(nbf === undefined ? {} : { nbf }) };
}

/** Why a token with valid claims is not accepted at `nowSeconds`, or undefined when it is. */
export function timeProblem(claims: ReadClaims, nowSeconds: number, leewaySeconds: number): (VerifyResult & { ok: false }) | undefined {
  // A token not yet valid, or issued in the future, is no expiry matter: refreshing would not help.
  if (claims.nbf !== undefined && nowSeconds + leewaySeconds < claims.nbf) return { ok: false, reason: 'invalid_token' };
  if (claims.iat !== undefined && claims.iat > nowSeconds + leewaySeconds) return { ok: false, reason: 'invalid_token' };
  if (nowSeconds >= claims.exp + leewaySeconds) return { ok: false, reason: 'token_expired' };
  return undefined;
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
  readonly sign: (claims: object) => string;
  /** One verifier per secret, in verificationOrder(): the current one first. */
  readonly verifiers: readonly ((token: string) => { header: unknown; payload: unknown })[];
  readonly labels: readonly SecretLabel[];
}

function keysOf(keyring: Keyring): Keys {
  // Expiry is checked below against the injected clock, not fast-jwt's own.
  const verifier = (secret: string) =>
    createVerifier({
      key: Buffer.from(secret, 'utf8'),
      algorithms: ['HS256'],
      complete: true,
      ignoreExpiration: true,
      ignoreNotBefore: true,
    });
  const order = verificationOrder(keyring);
  return {
    sign: hs256Signer(keyring.current),
    verifiers: order.map(({ secret }) => verifier(secret)),
    labels: order.map(({ label }) => label),
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
  issuer,
}: TokenOptions): TokenService {
  let keys = keysOf(keyring ?? { current: secret, previous: [] });
  const invalid = { ok: false, reason: 'invalid_token' } as const;

  /** The decoded token, its signature checked against the keyring (keyring.ts); undefined when malformed or signed by none. */
  function decode(token: string): { header: unknown; payload: unknown } | undefined {
    const { verifiers, labels } = keys;
    for (let i = 0; i < verifiers.length; i++) {
      try {
        const decoded = verifiers[i]!(token);
        observe?.(labels[i]!);
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
      // Key order is the wire order: {"jti":…,"sub":…,"scp":"user","exp":…}, then "iss" when set, so
      // the contract's four claims come first and, unset, are the whole payload.
      const claims = issuer === undefined ? { jti, sub: id, scp: 'user', exp } : { jti, sub: id, scp: 'user', exp, iss: issuer };
      return { token: keys.sign(claims), expiresAt: new Date(exp * 1000) };
    },
    verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) return invalid;
      const decoded = decode(token);
      if (!decoded || !isObject(decoded.header) || !isObject(decoded.payload)) return invalid;
      const read = readClaims(decoded.header, decoded.payload, { issuer });
      if (!read) return invalid;
      // Times against the injected clock, so tests see a token expire without sleeping.
      const problem = timeProblem(read, Math.floor(now() / 1000), leewaySeconds);
      if (problem) return problem;
      return { ok: true, claims: { jti: read.jti, sub: read.sub, scp: read.scp, exp: read.exp } };
    },
    useKeyring(keyring) {
      keys = keysOf(keyring);
    },
  };
}
