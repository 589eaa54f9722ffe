// A password-hashing thread (started by src/auth/hash-threads.ts): argon2id hashes, argon2id
// verifications and verifications of bcrypt hashes imported from Devise, one at a time, with the
// bindings' synchronous calls. Plain JavaScript beside the compiled code, like the audit writer:
// the same file serves the sources (tsx) and dist/.
import { hashSync, verifySync } from '@node-rs/argon2';
import { verifySync as bcryptVerifySync } from '@node-rs/bcrypt';
import { parentPort, workerData } from 'node:worker_threads';

const { options } = workerData; // the argon2id parameters of new hashes

const work = {
  hash: ({ password }) => hashSync(password, options),
  verify: ({ password, hash }) => verifySync(hash, password),
  'verify-bcrypt': ({ password, hash }) => bcryptVerifySync(password, hash),
};

// Requests and replies as src/request-thread.ts has them: { id, result } or { id, error }.
parentPort.on('message', (job) => {
  let answer;
  try {
    answer = { id: job.id, result: work[job.kind](job) };
  } catch (error) {
    // A stored hash the binding cannot read matches nothing; a hash that cannot be made is an error.
    answer = job.kind === 'hash' ? { id: job.id, error: { message: error instanceof Error ? error.message : String(error) } } : { id: job.id, result: false };
  }
  parentPort.postMessage(answer);
});
