import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createSigner, createVerifier } from 'fast-jwt';
import { hs256Signer } from '../../src/auth/hs256-signer.js';

// Our signer writes what fast-jwt's signer writes for the same claims and secret, byte for byte, so
// the tokens on the wire are the ones the contract tests (and the published clients) already know.

const claims = fc.record(
  {
    jti: fc.uuid(),
    sub: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    scp: fc.constant('user'),
    exp: fc.integer({ min: 1, max: 2 ** 40 }), // fast-jwt leaves out an exp of 0; ours is always now + TTL
    iss: fc.string({ unit: 'binary', maxLength: 40 }),
  },
  { requiredKeys: ['jti', 'sub', 'scp', 'exp'] },
);
const secret = fc.string({ unit: 'binary', minLength: 32, maxLength: 80 });

test("a token our signer writes is, byte for byte, the one fast-jwt's signer writes, and fast-jwt verifies it", () => {
  fc.assert(
    fc.property(secret, claims, (key, generated) => {
      const payload = { ...generated }; // a plain object, as issue() builds
      const ours = hs256Signer(key)(payload);
      assert.equal(ours, createSigner({ key: Buffer.from(key, 'utf8'), algorithm: 'HS256', noTimestamp: true })(payload));
      const verified = createVerifier({ key: Buffer.from(key, 'utf8'), algorithms: ['HS256'], complete: true, ignoreExpiration: true })(
        ours,
      );
      assert.deepEqual(verified.header, { alg: 'HS256', typ: 'JWT' });
      assert.deepEqual(verified.payload, payload);
    }),
    { numRuns: 300 },
  );
});

test('a token signed with one secret does not verify with another', () => {
  const token = hs256Signer('a'.repeat(32))({ jti: '0b1c6d8e-2f3a-4b5c-8d9e-0f1a2b3c4d5e', sub: 1, scp: 'user', exp: 2 });
  assert.throws(() => createVerifier({ key: Buffer.from('b'.repeat(32)), algorithms: ['HS256'] })(token), /signature/i);
});
