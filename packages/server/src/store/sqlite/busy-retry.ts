// Waiting for another process's write lock without blocking the event loop. The connection's own
// busy_timeout would sleep inside SQLite, on the main thread, freezing every request meanwhile (a
// foreign BEGIN IMMEDIATE, a backup, a second node writing). So the connection runs with
// busy_timeout 0: a statement that meets the lock fails at once with SQLITE_BUSY, and the work is
// tried again on a timer until its deadline; the event loop serves everything else in between.

export const isBusy = (error: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown } | null)?.code));

/** The pause after failed try number `attempt` (1, 2, …): short at first, since most locks are brief, then at most 25 ms. */
export function busyRetryDelayMs(attempt: number): number {
  return Math.min(25, 2 ** attempt);
}

/** Runs synchronous SQLite work, waiting for a lock held elsewhere for at most the busy timeout. */
export type BusyRetry = <T>(work: () => T) => Promise<T>;

/** Tries `work` on timers until it stops failing with SQLITE_BUSY or `deadline` passes (then its last error). */
function retryUntil<T>(work: () => T, deadline: number, clock: () => number, attempt = 1): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const next = (n: number) => {
      try {
        resolve(work());
      } catch (error) {
        const left = deadline - clock();
        if (!isBusy(error) || left <= 0) return reject(error);
        setTimeout(() => next(n + 1), Math.min(busyRetryDelayMs(n), left));
      }
    };
    next(attempt);
  });
}

/** Reads: each on its own; in WAL mode a reader meets SQLITE_BUSY only in rare moments (a WAL being recovered). */
export function busyRetry(busyTimeoutMs: number, clock: () => number = () => performance.now()): BusyRetry {
  return (work) => {
    try {
      return Promise.resolve(work()); // the common case: no lock, no timer, no extra turn
    } catch (error) {
      if (!isBusy(error)) return Promise.reject(error);
      return retryUntil(work, clock() + busyTimeoutMs, clock, 2);
    }
  };
}

/**
 * Writes: in the order they were asked for. While one waits for the lock, later ones wait behind it,
 * as they did in SQLite's own busy handler, so a logout asked first is never overtaken by a later
 * login's renewal of the same user's jti. Each write's deadline counts from when it was asked.
 */
export function busyRetryInOrder(busyTimeoutMs: number, clock: () => number = () => performance.now()): BusyRetry {
  let tail: Promise<unknown> | undefined; // the last write still waiting for the lock, if any
  return <T>(work: () => T) => {
    const deadline = clock() + busyTimeoutMs;
    if (tail === undefined) {
      try {
        return Promise.resolve(work());
      } catch (error) {
        if (!isBusy(error)) return Promise.reject(error);
      }
    }
    const settled = () => undefined;
    const mine = (tail ?? Promise.resolve()).then(() => retryUntil(work, deadline, clock));
    const done = mine.then(settled, settled);
    tail = done;
    void done.then(() => {
      if (tail === done) tail = undefined;
    });
    return mine;
  };
}
