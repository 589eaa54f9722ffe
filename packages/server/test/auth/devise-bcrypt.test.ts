import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBcryptHash } from '../../src/auth/devise-bcrypt.js';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { deviseHash } from '../support/devise.js';

// Imported Devise hashes: bcrypt of password + pepper, under any of the three bcrypt prefixes.

describe('Devise bcrypt hashes', () => {
  it('verifies $2a$, $2b$ and $2y$ with the pepper appended, as Devise::Encryptor does', async () => {
    const withPepper = await createPasswordHasher(undefined, { devisePepper: 'pepper' });
    const without = await createPasswordHasher();
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      const hash = await deviseHash('devise password', { cost: 4, pepper: 'pepper', prefix });
      assert.ok(isBcryptHash(hash));
      assert.equal(await withPepper.verify(hash, 'devise password'), true, prefix);
      assert.equal(await withPepper.verify(hash, 'wrong password'), false, prefix);
      assert.equal(await without.verify(hash, 'devise password'), false, `${prefix} without the pepper`);
      assert.equal(withPepper.needsRehash(hash), true, 'replaced by argon2id at the next login');
    }
    assert.equal(await without.verify(await deviseHash('no pepper here', { cost: 4 }), 'no pepper here'), true);
  });

  it('compares only the first 72 bytes, as Ruby bcrypt does, and never throws on a broken hash', async () => {
    const hasher = await createPasswordHasher();
    const long = 'x'.repeat(72);
    assert.equal(await hasher.verify(await deviseHash(`${long}tail`, { cost: 4 }), `${long}other tail`), true);
    const broken = `$2a$04$${'!'.repeat(53)}`;
    assert.equal(isBcryptHash(broken), false);
    assert.equal(await hasher.verify(`$2a$99$${'a'.repeat(53)}`, 'x'), false);
  });
});
