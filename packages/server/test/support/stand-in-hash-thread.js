// @ts-check
// A stand-in for workers/password-hasher.js, to test how passwords.ts runs its threads without
// spending real hashes; checked against the same protocol. Each job keeps its thread busy for a
// moment, as a real hash does (hashes 30 ms, verifications 10 ms, so a job that overtook an
// earlier one would finish first), and reports a fixed time of its own. A hash answers which
// thread made it and when (start and end, in ms since the epoch). The password "exit" takes the
// thread down, as a crashed binding would; "fail" is a hash that cannot be made.
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';

/** @typedef {import('../../src/auth/hash-thread-protocol.js').HashThread} HashThread */

// Bcrypt verifications report a time of their own, so a test can tell which kind a verification was.
export const STAND_IN_SECONDS = { hash: 0.125, verify: 0.0625, verifyBcrypt: 0.03125 };

/** @param {number} ms */
const busy = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const now = () => performance.timeOrigin + performance.now();

/** @satisfies {HashThread} */
const thread = {
  hash: ({ password }) => {
    if (password === 'exit') process.exit(3);
    if (password === 'fail') return { error: 'no memory for the hash', seconds: STAND_IN_SECONDS.hash };
    const start = now();
    busy(30);
    return { result: `thread ${threadId} ${start} ${now()}`, seconds: STAND_IN_SECONDS.hash };
  },
  verify: ({ passwordHash, password }) => (busy(10), { result: passwordHash === password, seconds: STAND_IN_SECONDS.verify }),
  verifyBcrypt: ({ passwordHash, password }) => (busy(10), { result: passwordHash === password, seconds: STAND_IN_SECONDS.verifyBcrypt }),
  // Shaped like a bcrypt hash (cost, then 53 characters), so passwords.ts verifies it as one.
  hashBcrypt: ({ cost }) => (
    busy(30), { result: `$2a$${String(cost).padStart(2, '0')}$${'a'.repeat(53)}`, seconds: STAND_IN_SECONDS.hash }
  ),
};

export const { hash, verify, verifyBcrypt, hashBcrypt } = thread;
