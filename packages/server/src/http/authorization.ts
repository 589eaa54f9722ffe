// Reads the token from an Authorization header. Accepted forms (docs/contract.md, and decided here):
//   "Bearer <jwt>"  the Ruby client's default; the scheme is case-insensitive (RFC 7235), so
//                   "bearer <jwt>" works too, and any run of spaces or tabs may separate the two;
//   "<jwt>"         the bare token, sent when a client clears its api_key_prefix;
// surrounding whitespace is ignored. "Bearer" with nothing after it, or no header, is a missing
// token. Anything else — another scheme, two tokens, junk — is an invalid token.

export const MAX_AUTHORIZATION_LENGTH = 4096;

export type AuthorizationResult =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid' };

// Three base64url segments; the signature may not be empty (no unsigned tokens).
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const BEARER = /^bearer(?:[ \t]+(.*))?$/i;

export function parseAuthorization(header: string | string[] | undefined): AuthorizationResult {
  if (Array.isArray(header)) return { kind: 'invalid' };
  if (header === undefined) return { kind: 'missing' };
  // Bounded before any other work: a huge header costs nothing more than this length check.
  if (header.length > MAX_AUTHORIZATION_LENGTH) return { kind: 'invalid' };
  const value = header.trim();
  if (value === '') return { kind: 'missing' };
  const bearer = BEARER.exec(value);
  const candidate = bearer ? (bearer[1] ?? '') : value;
  if (candidate === '') return { kind: 'missing' };
  return JWT_SHAPE.test(candidate) ? { kind: 'token', token: candidate } : { kind: 'invalid' };
}
