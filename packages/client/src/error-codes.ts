// The stable codes a PacerPro server puts in an Error body's `code`; docs/errors.md at the
// repository root says what each means and what to do about it. Listed here by hand, because the SDK
// has no runtime dependency on the server; a test holds this list to the server's table of errors,
// both at compile time and at run time.

export const ERROR_CODES = [
  'invalid_credentials',
  'missing_token',
  'invalid_token',
  'token_expired',
  'token_revoked',
  'session_too_old',
  'bad_request',
  'request_timeout',
  'headers_too_large',
  'malformed_json',
  'invalid_body',
  'invalid_field',
  'email_too_long',
  'password_too_long',
  'not_found',
  'method_not_allowed',
  'body_too_large',
  'unsupported_media_type',
  'login_throttled',
  'rate_limited',
  'internal_error',
  'service_unavailable',
] as const;

/** A code this version of the client knows. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether `value` is one of ERROR_CODES. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN.has(value);
}
