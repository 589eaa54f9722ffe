import { verify } from '@node-rs/bcrypt';

// Password hashes imported from Devise are bcrypt. Devise (Devise::Encryptor) appends its
// `config.pepper` to the password before hashing, so verification must do the same. They are only
// verified, never written: a successful login replaces them with argon2id. @node-rs/bcrypt runs
// on the libuv thread pool, so a cost-12 verification does not stall the event loop.

// $2y$ (PHP's name) is the same algorithm as $2a$/$2b$; Ruby's bcrypt writes $2a$.
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export function isBcryptHash(passwordHash: string): boolean {
  return BCRYPT_HASH.test(passwordHash);
}

/** False for a wrong password and for a hash it cannot read; never throws on bad input. */
export async function verifyDeviseBcrypt(passwordHash: string, password: string, pepper = ''): Promise<boolean> {
  try {
    return await verify(password + pepper, passwordHash);
  } catch {
    return false;
  }
}
