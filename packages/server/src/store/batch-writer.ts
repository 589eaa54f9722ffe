// Turns many writes into one transaction: the writes asked for during one turn of the event loop are
// collected and handed over together once the loop has read every request that was waiting
// (setImmediate runs after the poll phase), in the order they were asked for. With SQLite a commit
// costs ~10 µs on its own and ~2.4 µs each among eight (bench/NOTES.md); under load a turn brings
// several logouts.
//
// `write` gets the items of one batch and returns one result per item, in the same order. If it
// fails, every caller of that batch gets the error: the transaction rolled back for all of them.

export type BatchWrite<T, R> = (items: readonly T[]) => Promise<readonly R[]>;

export function createBatchWriter<T, R>(write: BatchWrite<T, R>): (item: T) => Promise<R> {
  let items: T[] = [];
  let waiters: { resolve(result: R): void; reject(error: unknown): void }[] = [];

  async function flush() {
    const batch = items;
    const callers = waiters;
    items = [];
    waiters = [];
    try {
      const results = await write(batch);
      callers.forEach((caller, i) => caller.resolve(results[i]!));
    } catch (error) {
      for (const caller of callers) caller.reject(error);
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (items.push(item) === 1) setImmediate(() => void flush());
      waiters.push({ resolve, reject });
    });
}
