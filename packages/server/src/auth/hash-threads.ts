import { fileURLToPath } from 'node:url';
import { startRequestThread, type RequestThread } from '../request-thread.js';
import { createLimiter } from './hash-queue.js';

// Password hashes run on threads of our own (workers/password-hasher.js), one hash at a time each,
// not on libuv's pool through the bindings' async calls. Measured under a login flood
// (bench/NOTES.md): on the pool each hash went to whichever of its four threads woke first, and
// the kernel often woke that thread on the event loop's core, where one preempted the other — the
// event loop stalled 1.5–4 ms on one login in ten, and the hash waited for a core ~10% of its time.
// A thread that stays ours keeps its core and its warm memory: logins went from ~87 to ~110 a
// second at one hash at a time.

const SCRIPT = fileURLToPath(new URL('../../workers/password-hasher.js', import.meta.url));

/** The argon2id parameters of new hashes, as @node-rs/argon2 takes them. */
export interface Argon2Options {
  readonly algorithm: number;
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export interface HashThreadsOptions {
  /** At most this many hashes at once, each on a thread of its own; more wait their turn in order. */
  readonly threads: number;
  readonly options: Argon2Options;
  /** The thread's script; tests give another. */
  readonly script?: string;
}

/** Verifications answer false for a wrong password and for a hash they cannot read; all reject only when a thread is lost. */
export interface HashThreads {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  verifyBcrypt(passwordHash: string, password: string): Promise<boolean>;
}

type Job = { kind: 'hash'; password: string } | { kind: 'verify' | 'verify-bcrypt'; password: string; hash: string };

export function startHashThreads({ threads, options, script = SCRIPT }: HashThreadsOptions): HashThreads {
  const limit = createLimiter(threads);
  const idle: RequestThread[] = []; // started lazily, up to `threads`; a lost one is not reused
  const run = (job: Job) =>
    limit(async () => {
      let thread = idle.pop();
      while (thread?.lost()) thread = idle.pop(); // one that died while idle is dropped
      thread ??= startRequestThread(script, 'password-hashing', { options });
      try {
        return await thread.request(job);
      } finally {
        if (!thread.lost()) idle.push(thread);
      }
    });
  return {
    hash: async (password) => String(await run({ kind: 'hash', password })),
    verify: async (passwordHash, password) => (await run({ kind: 'verify', password, hash: passwordHash })) === true,
    verifyBcrypt: async (passwordHash, password) => (await run({ kind: 'verify-bcrypt', password, hash: passwordHash })) === true,
  };
}
