import { availableParallelism } from 'node:os';

// How many password hashes one process runs at once (the queue and the threads: passwords.ts).

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
