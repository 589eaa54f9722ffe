import { MAX_PASSWORD_BYTES } from './password-length.js';

// NIST SP 800-63B for new passwords: a minimum length, a generous maximum, no composition rules,
// and no password that attackers try first (the e-mail itself, or one of ~49,000 common passwords
// from @zxcvbn-ts/language-common, a maintained list).

export interface PasswordPolicy {
  readonly minLength: number;
}

let common: Promise<ReadonlySet<string>> | undefined;

/** Loaded on first use only: the server process never needs the list, only `users add/passwd`. */
function commonPasswords(): Promise<ReadonlySet<string>> {
  return (common ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase())),
  ));
}

export async function commonPasswordCount(): Promise<number> {
  return (await commonPasswords()).size;
}

/** Why a new password is refused, or undefined when it is acceptable. */
export async function passwordProblem(password: string, email: string, { minLength }: PasswordPolicy): Promise<string | undefined> {
  if ([...password].length < minLength) return `the password must be at least ${minLength} characters long`;
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return `the password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  const folded = password.trim().toLowerCase();
  if (folded === email.trim().toLowerCase()) return 'the password must not be the e-mail address';
  if ((await commonPasswords()).has(folded)) return 'the password is on the list of commonly used passwords; choose another';
  return undefined;
}
