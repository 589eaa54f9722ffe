import { availableParallelism } from 'node:os';
import type { PasswordHasher } from './passwords.js';

// At most N password hashes run at once; further logins wait their turn here, in order. Without
// the bound a login flood starts every hash at once: each holds 19 MiB or more while the cores
// time-slice between them, so every login slows down together and memory grows with the flood.
// Each hash runs on a thread of our own (hash-threads.ts).

export interface HashConcurrencySettings {
  readonly hashConcurrency: number | undefined;
  readonly workers: number;
}

/** The default's ceiling: each hash in flight holds 19 MiB or more, and each hashing thread ~7 MiB. */
const MAX_DEFAULT_CONCURRENCY = 3;

/**
 * The configured bound; by default one less than each worker process's share of the cores, so
 * one core is always left to the event loops (refreshes never wait for a core while logins
 * flood), at least one and at most MAX_DEFAULT_CONCURRENCY.
 */
export function hashConcurrencyOf({ hashConcurrency, workers }: HashConcurrencySettings, cores = availableParallelism()): number {
  return hashConcurrency ?? Math.max(1, Math.min(MAX_DEFAULT_CONCURRENCY, Math.floor(cores / workers) - 1));
}

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** A counting semaphore: runs at most `concurrency` tasks at once, the others first come, first served. */
export function createLimiter(concurrency: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  let head = 0; // index of the next waiter: shift() on a long queue copies, this does not
  const release = () => {
    if (head < waiting.length) {
      const next = waiting[head]!;
      waiting[head++] = undefined as never;
      if (head === waiting.length) waiting.length = head = 0;
      next(); // the slot passes straight to the next task
    } else {
      running--;
    }
  };
  return async (task) => {
    if (running < concurrency) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** The hasher with its hashing bounded; the cheap checks pass through. */
export function queuePasswordHasher(hasher: PasswordHasher, concurrency: number): PasswordHasher {
  const limit = createLimiter(concurrency);
  return {
    ...hasher,
    hash: (password) => limit(() => hasher.hash(password)),
    verify: (passwordHash, password) => limit(() => hasher.verify(passwordHash, password)),
    verifyDummy: (password) => limit(() => hasher.verifyDummy(password)),
  };
}
