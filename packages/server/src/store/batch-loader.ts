// Turns many look-ups by key into one query: keys asked for during one turn of the event loop are
// collected and loaded together once the loop has read every request that was waiting (setImmediate
// runs after the poll phase). With PostgreSQL, a refresh's user look-up is a network round trip and
// a pool connection; fifty refreshes in flight become one `WHERE id = ANY($1)` instead of fifty
// queries queueing for ten connections (bench/NOTES.md: 2.3× the refreshes per second).
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
  let waiting = new Map<K, Waiter<V>[]>();
  let scheduled = false;

  async function loadChunk(chunk: readonly K[], batch: Map<K, Waiter<V>[]>) {
    try {
      const found = await load(chunk);
      for (const key of chunk) for (const waiter of batch.get(key)!) waiter.resolve(found.get(key));
    } catch (error) {
      for (const key of chunk) for (const waiter of batch.get(key)!) waiter.reject(error);
    }
  }

  function run(batch: Map<K, Waiter<V>[]>) {
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += maxBatch) void loadChunk(keys.slice(start, start + maxBatch), batch);
  }

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      const waiters = waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else waiting.set(key, [{ resolve, reject }]);
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        const batch = waiting;
        waiting = new Map();
        scheduled = false;
        run(batch);
      });
    });
}
