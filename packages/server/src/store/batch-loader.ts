import { perTurn } from './turn-batch.js';

// Turns many look-ups by key into one query: the keys asked for during one turn of the event loop
// are loaded together (turn-batch.ts), each once. With PostgreSQL, a refresh's user look-up is a
// network round trip and a pool connection; fifty refreshes in flight become one
// `WHERE id = ANY($1)` instead of fifty queries queueing for ten connections (bench/NOTES.md: 2.3×
// the refreshes per second).
//
// Never staler than a query of its own: a key joins a batch that has not been sent yet, so the
// query starts after every caller asked, and sees everything committed before that.

export type BatchLoad<K, V> = (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;

interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

/** `load` gets each key once per batch, at most `maxBatch` keys per call; a missing key resolves undefined. */
export function createBatchLoader<K, V>(load: BatchLoad<K, V>, maxBatch = 500): (key: K) => Promise<V | undefined> {
  async function loadChunk(chunk: readonly K[], byKey: Map<K, Waiter<V>[]>) {
    try {
      const found = await load(chunk);
      for (const key of chunk) for (const waiter of byKey.get(key)!) waiter.resolve(found.get(key));
    } catch (error) {
      for (const key of chunk) for (const waiter of byKey.get(key)!) waiter.reject(error);
    }
  }

  const add = perTurn<{ readonly key: K; readonly waiter: Waiter<V> }>((batch) => {
    const byKey = new Map<K, Waiter<V>[]>();
    for (const { key, waiter } of batch) {
      const waiters = byKey.get(key);
      if (waiters) waiters.push(waiter);
      else byKey.set(key, [waiter]);
    }
    const keys = [...byKey.keys()];
    for (let start = 0; start < keys.length; start += maxBatch) void loadChunk(keys.slice(start, start + maxBatch), byKey);
  });

  return (key) => new Promise<V | undefined>((resolve, reject) => add({ key, waiter: { resolve, reject } }));
}
