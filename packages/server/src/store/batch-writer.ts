import { perTurn } from './turn-batch.js';

// Turns the writes of one turn of the event loop into one call of `write` (turn-batch.ts), in the
// order they were asked for: with SQLite, one transaction. A commit costs far more alone than
// shared (bench/NOTES.md), and under load a turn brings several logouts.
//
// `write` gets the items of one batch and returns one result per item, in the same order. If it
// fails, every caller of that batch gets the error: the transaction rolled back for all of them.

export type BatchWrite<T, R> = (items: readonly T[]) => Promise<readonly R[]>;

interface Pending<T, R> {
  readonly item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export function createBatchWriter<T, R>(write: BatchWrite<T, R>): (item: T) => Promise<R> {
  const add = perTurn<Pending<T, R>>(async (batch) => {
    try {
      const results = await write(batch.map((p) => p.item));
      batch.forEach((caller, i) => {
        caller.resolve(results[i]!);
      });
    } catch (error) {
      for (const caller of batch) caller.reject(error);
    }
  });
  return (item) => new Promise<R>((resolve, reject) => add({ item, resolve, reject }));
}
