// What one turn of the event loop asked for, handed over together: items added during a turn are
// collected and passed to `flush` once the loop has read every request that was waiting
// (setImmediate runs after the poll phase), in the order they were added. The stores batch their
// hot-path look-ups (batch-loader.ts) with it: under load one turn
// brings several requests, and one query or one transaction for all of them costs far less than
// one each (bench/NOTES.md).

export function perTurn<T>(flush: (items: T[]) => void): (item: T) => void {
  let items: T[] = [];
  return (item) => {
    if (items.push(item) > 1) return;
    setImmediate(() => {
      const batch = items;
      items = [];
      flush(batch);
    });
  };
}
