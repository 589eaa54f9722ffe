import { availableParallelism } from 'node:os';
import type { PasswordHasher } from './passwords.js';

// At most N password hashes run at once; further logins wait their turn here, in order. Without
// the bound a login flood puts every hash on the libuv pool at once: each holds 19 MiB or more
// while the cores time-slice between them, so every login slows down together, memory grows with
// the flood, and the pool's other users (file reads, DNS) wait behind the hashes.

export interface HashConcurrencySettings {
  readonly hashConcurrency: number | undefined;
  readonly workers: number;
}

/** Threads in libuv's pool unless UV_THREADPOOL_SIZE says otherwise; hashes run there. */
export const DEFAULT_THREAD_POOL_SIZE = 4;

/**
 * The configured bound; by default one less than each worker process's share of the cores, so
 * one core is always left to the event loops (refreshes never wait for a core while logins
 * flood), at least one, and at most one less than libuv's default pool, so a pool thread is always
 * free for file reads and DNS. More needs UV_THREADPOOL_SIZE too (threadPoolAdvice).
 */
export function hashConcurrencyOf({ hashConcurrency, workers }: HashConcurrencySettings, cores = availableParallelism()): number {
  return hashConcurrency ?? Math.max(1, Math.min(DEFAULT_THREAD_POOL_SIZE - 1, Math.floor(cores / workers) - 1));
}

/** A warning when the pool is too small for the hashes allowed at once; undefined when it fits. */
export function threadPoolAdvice(concurrency: number, uvThreadPoolSize: string | undefined): string | undefined {
  const pool = Number(uvThreadPoolSize) || DEFAULT_THREAD_POOL_SIZE;
  if (concurrency < pool) return undefined;
  return `hashing concurrency ${concurrency} needs a libuv pool of ${concurrency + 1} threads or more, and it has ${pool}: ` +
    `set UV_THREADPOOL_SIZE=${concurrency + 2} in the environment (or lower PACERPRO_HASH_CONCURRENCY)`;
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
