import { maxHeaderSize } from 'node:http';
import { MAX_EMAIL_LENGTH } from './auth/email.js';
import { MAX_PASSWORD_BYTES } from './auth/password-length.js';

// One table of every failure the API can answer with. Each code has one status and one message
// that says what went wrong and what to do; the wire body is PacerPro's Error plus `code`.
// docs/errors.md lists every code for users (a test holds it to this table), and the client SDK
// exports the same codes as its ErrorCode union (a test holds it to these keys).

export const ERRORS = {
  invalid_credentials: { status: 401, message: 'Invalid email or password.' },
  missing_token: {
    status: 401,
    message: 'Authentication required: send the token from POST /v1/session as "Authorization: Bearer <token>".',
  },
  invalid_token: { status: 401, message: 'The token is malformed or its signature is invalid. Log in again with POST /v1/session.' },
  token_expired: { status: 401, message: 'The token has expired. Log in again with POST /v1/session.' },
  token_revoked: {
    status: 401,
    message: 'The token has been revoked or its account is no longer active. Log in again with POST /v1/session.',
  },
  session_too_old: { status: 401, message: 'This session has reached its maximum age. Log in again with POST /v1/session.' },
  bad_request: { status: 400, message: 'The request is not valid HTTP/1.1 (request line, header or framing).' },
  request_timeout: { status: 408, message: 'The request was not received in full in time: send it again, whole.' },
  // Node's own limit on a request's headers (16 KB unless node runs with --max-http-header-size).
  headers_too_large: { status: 431, message: `The request headers are too large (at most ${Math.floor(maxHeaderSize / 1024)} KB in all).` },
  malformed_json: { status: 400, message: 'The request body is not valid JSON. Send {"email": "...", "password": "..."}.' },
  invalid_body: { status: 400, message: 'The request body must be a JSON object: {"email": "...", "password": "..."}.' },
  invalid_field: { status: 400, message: 'email and password must be strings.' },
  email_too_long: { status: 400, message: `email is longer than ${MAX_EMAIL_LENGTH} characters.` },
  password_too_long: { status: 400, message: `password is longer than ${MAX_PASSWORD_BYTES} bytes.` },
  not_found: { status: 404, message: 'No such resource. The API lives at /v1/session.' },
  method_not_allowed: { status: 405, message: 'Method not allowed on this resource. Use POST, GET or DELETE on /v1/session.' },
  body_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Unsupported Content-Type: send Content-Type: application/json.' },
  login_throttled: {
    status: 429,
    message: 'Too many failed logins for this e-mail. Retry after the number of seconds in the Retry-After header.',
  },
  rate_limited: { status: 429, message: 'Too many requests. Retry after the number of seconds in the Retry-After header.' },
  internal_error: { status: 500, message: 'Internal server error. The incident has been logged; retry later.' },
  service_unavailable: {
    status: 503,
    message: 'The service is temporarily unavailable. Retry after the number of seconds in the Retry-After header.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** PacerPro's Error model, plus a stable machine-readable code. */
export interface ErrorBody {
  error: string;
  message: string;
  status: number;
  type: 'error' | 'alert' | 'notice' | 'warning';
  code: ErrorCode;
}

/**
 * A failure found at the HTTP edge (the body, the Authorization header, the route, a limit), with
 * its extra response headers; rendered by the error handler. The session logic throws AuthError.
 */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
    message: string = ERRORS[code].message,
  ) {
    super(message);
    this.status = ERRORS[code].status;
  }
}

export function errorBody(code: ErrorCode, message: string = ERRORS[code].message): ErrorBody {
  return { error: message, message, status: ERRORS[code].status, type: 'error', code };
}
