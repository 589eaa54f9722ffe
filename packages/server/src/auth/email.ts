// The e-mail rules, in one place, so that the login body, the OpenAPI schema, the CLI, the Devise
// import and both stores agree on what an address is and when two are the same.

/**
 * The longest address accepted. RFC 5321 limits a path to 256 characters, angle brackets included,
 * which leaves 254 for the address: no mail server delivers to a longer one, so no real account has
 * one, and a longer login is refused before it reaches the store.
 */
export const MAX_EMAIL_LENGTH = 254;

/**
 * How e-mails are compared: trimmed and case-insensitive, as Devise does by default
 * (strip_whitespace_keys, case_insensitive_keys), so imported users log in as they did there and
 * "Alice@Example.com " cannot open a second account or dodge the throttle of "alice@example.com".
 */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

// Devise's own default check: one @, no spaces. Deliberately loose: a stricter rule would refuse
// addresses that Devise accepted, and an import must take every account it had.
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Whether an address may be given to a new or imported account: Devise's check, within MAX_EMAIL_LENGTH. */
export function isEmailAddress(email: string): boolean {
  const trimmed = email.trim();
  return EMAIL.test(trimmed) && trimmed.length <= MAX_EMAIL_LENGTH;
}
