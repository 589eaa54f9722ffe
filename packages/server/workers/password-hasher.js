// @ts-check
// A password-hashing thread (started by src/auth/passwords.ts through Piscina): argon2id hashes,
// argon2id verifications, verifications of bcrypt hashes imported from Devise and, beside a live
// Devise app, bcrypt hashes as Devise writes them, one at a time,
// with the bindings' synchronous calls. Plain JavaScript beside the compiled code, like the audit
// writer: the same file serves the sources (tsx) and dist/. Its exports are checked against
// src/auth/hash-thread-protocol.ts.
import { hashSync, verifySync } from '@node-rs/argon2';
import { hashSync as bcryptHashSync, verifySync as bcryptVerifySync } from '@node-rs/bcrypt';
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';

/** @typedef {import('../src/auth/hash-thread-protocol.js').HashThread} HashThread */
/** @typedef {import('../src/auth/hash-thread-protocol.js').HashThreadData} HashThreadData */

const { options } = /** @type {HashThreadData} */ (workerData);

/**
 * @template T
 * @param {() => T} work
 * @returns {import('../src/auth/hash-thread-protocol.js').Timed<T>}
 */
function timed(work) {
  const start = performance.now();
  try {
    const result = work();
    return { result, seconds: (performance.now() - start) / 1000 };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), seconds: (performance.now() - start) / 1000 };
  }
}

/**
 * A stored hash the binding cannot read matches nothing.
 * @param {() => boolean} check
 */
const matchesOrFalse = (check) => {
  try {
    return check();
  } catch {
    return false;
  }
};

/** @satisfies {HashThread} */
const thread = {
  hash: ({ password }) => timed(() => hashSync(password, options)),
  verify: ({ passwordHash, password }) => timed(() => matchesOrFalse(() => verifySync(passwordHash, password))),
  verifyBcrypt: ({ passwordHash, password }) => timed(() => matchesOrFalse(() => bcryptVerifySync(password, passwordHash))),
  // $2a$ as Ruby's bcrypt writes it; the binding writes $2b$, the same algorithm for every input
  // shorter than 256 bytes (bcrypt reads 72), and Devise reads either.
  hashBcrypt: ({ password, cost }) => timed(() => `$2a$${bcryptHashSync(password, cost).slice(4)}`),
};

export const { hash, verify, verifyBcrypt, hashBcrypt } = thread;
