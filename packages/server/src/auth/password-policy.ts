import { MAX_PASSWORD_BYTES } from './passwords.js';

// NIST SP 800-63B: a minimum length, a generous maximum, no composition rules.
export const MIN_PASSWORD_LENGTH = 12;

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, email: string, minLength = MIN_PASSWORD_LENGTH): string | undefined {
  if ([...password].length < minLength) return `the password must be at least ${minLength} characters long`;
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return `the password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return 'the password must not be the e-mail address';
  return undefined;
}
