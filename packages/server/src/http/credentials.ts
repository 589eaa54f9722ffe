import { InvalidCredentialsError } from '../auth/auth-errors.js';
import { MAX_EMAIL_LENGTH } from '../auth/email.js';
import type { Credentials } from '../auth/sessions.js';
import { MAX_PASSWORD_BYTES } from '../auth/password-length.js';
import { ApiProblem } from '../errors.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the login body: a User {email, password}, or Devise's {user: {email, password}}.
 * A missing field (or {}) is a failed login (401), as the published clients expect for an empty
 * User; a body that is not an object, or fields of the wrong type or size, are a bad request (400).
 */
export function readCredentials(body: unknown): Credentials {
  if (body === undefined) throw new ApiProblem('malformed_json');
  if (!isObject(body)) throw new ApiProblem('invalid_body');
  const fields = isObject(body.user) && body.email === undefined && body.password === undefined ? body.user : body;
  const { email, password } = fields;
  if (email === undefined || email === null || password === undefined || password === null) {
    throw new InvalidCredentialsError();
  }
  if (typeof email !== 'string' || typeof password !== 'string') throw new ApiProblem('invalid_field');
  if (email.trim() === '' || password === '') throw new InvalidCredentialsError();
  if (email.length > MAX_EMAIL_LENGTH) throw new ApiProblem('email_too_long');
  // No account has a control character in its e-mail, and PostgreSQL refuses a NUL in text outright
  // (a 500 on every such request): a wrong e-mail like any other.
  if (CONTROL_CHARACTER.test(email)) throw new InvalidCredentialsError();
  // Refused before any hashing: an argon2 pass over megabytes of password is free work for an attacker.
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw new ApiProblem('password_too_long');
  return { email, password };
}
