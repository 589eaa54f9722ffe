import { ERRORS, type ErrorCode } from '../errors.js';
import type { LoginLaneKind } from './login-lane.js';

// What a login or a token check fails with: small error classes, each with a code from the closed
// ErrorCode union (jose's shape). They carry facts (how long to wait, why a token is refused), never
// HTTP: the error handler (http/error-handler.ts) renders the status, the headers and the body, so
// the routes, the plugin and any other caller of the session service share one meaning per code.

/** Why a token is not accepted. */
export type TokenRefusal = 'invalid_token' | 'token_expired' | 'token_revoked' | 'session_too_old';

/** The base of every failure the session logic throws; `code` names its row of ERRORS. */
export abstract class AuthError extends Error {
  abstract readonly code: ErrorCode;
}

/**
 * A wrong e-mail, a wrong password, a missing field or a locked account: deliberately one error,
 * so that no answer tells an attacker which e-mails have accounts.
 */
export class InvalidCredentialsError extends AuthError {
  override readonly name = 'InvalidCredentialsError';
  readonly code = 'invalid_credentials';
  /** The lane whose counter the check was charged to (for the audit trail); none when nothing was checked. */
  constructor(readonly lane?: LoginLaneKind) {
    super(ERRORS.invalid_credentials.message);
  }
}

/** Logins through this lane (auth/login-lane.ts) are refused for now, before any password work. */
export class LoginThrottledError extends AuthError {
  override readonly name = 'LoginThrottledError';
  readonly code = 'login_throttled';
  /** Whole seconds, at least 1, until a login through the lane is checked again. */
  constructor(
    readonly retryAfterSeconds: number,
    readonly lane: LoginLaneKind,
  ) {
    super(ERRORS.login_throttled.message);
  }
}

/** A token that does not (or no longer) open the session; `code` says why. */
export class TokenRefusedError extends AuthError {
  override readonly name = 'TokenRefusedError';
  constructor(readonly code: TokenRefusal) {
    super(ERRORS[code].message);
  }
}
