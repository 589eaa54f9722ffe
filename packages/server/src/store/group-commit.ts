// Group commit: items are handed to `write` together, one call at a time. The items of one turn of
// the event loop always go together (setImmediate runs after the poll phase, once the turn's
// requests are read); while a call is in flight, the items of the turns meanwhile wait and go
// together in the next call, as soon as it ends. Under load a commit then carries as many items as
// arrived during the previous one, and the number of commits stays near one per commit round trip
// instead of one per turn: a commit costs far more alone than shared (bench/NOTES.md), on SQLite
// and on PostgreSQL's event loop alike. The audit trail and SQLite's jti rotations (logouts) use it.
//
// `write` gets the items of one call and returns one result per item, in the same order. Every
// caller's promise settles with its own call: with its result once `write` resolved, rejected
// with its error otherwise (the transaction rolled back for all of them).

interface Pending<T, R> {
  readonly item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export interface GroupCommit<T, R> {
  add(item: T): Promise<R>;
  /** Resolves once nothing is waiting or in flight. */
  idle(): Promise<void>;
}

export function createGroupCommit<T, R>(write: (items: readonly T[]) => Promise<readonly R[]>, maxBatch: number): GroupCommit<T, R> {
  let waiting: Pending<T, R>[] = [];
  let scheduled = false;
  let inFlight: Promise<void> | undefined;

  function commitNext(): void {
    scheduled = false;
    const batch = waiting.slice(0, maxBatch);
    waiting = waiting.slice(batch.length);
    // Called in a promise, so that a write that throws at once rejects its callers instead of the process.
    inFlight = Promise.resolve(batch.map((p) => p.item))
      .then(write)
      .then(
        (results) => {
          batch.forEach((p, i) => {
            p.resolve(results[i]!);
          });
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      );
    void inFlight.then(() => {
      inFlight = undefined;
      if (waiting.length > 0) schedule();
    });
  }

  function schedule(): void {
    if (scheduled || inFlight) return;
    scheduled = true;
    setImmediate(commitNext);
  }

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        schedule();
      });
    },
    async idle() {
      while (scheduled || inFlight || waiting.length > 0) await (inFlight ?? new Promise(setImmediate));
    },
  };
}
