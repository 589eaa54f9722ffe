// Password hashes imported from Devise are bcrypt. Devise (Devise::Encryptor) appends its
// `config.pepper` to the password before hashing, so verification must do the same. Imported ones
// are only verified (on the hashing threads, passwords.ts): a successful login replaces them with
// argon2id. Beside a live Devise app (attached mode) new hashes are written this way too, and kept.

// $2y$ (PHP's name) is the same algorithm as $2a$/$2b$; Ruby's bcrypt writes $2a$.
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export function isBcryptHash(passwordHash: string): boolean {
  return BCRYPT_HASH.test(passwordHash);
}

/** What Devise handed bcrypt: the password with the pepper appended. */
export function deviseBcryptInput(password: string, pepper = ''): string {
  return password + pepper;
}
