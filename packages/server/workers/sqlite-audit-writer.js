// The SQLite store's audit writer thread (started by src/store/sqlite-audit-writer.ts): inserts
// batches of audit rows on a connection of its own, so a batch (a write transaction, every so
// often a WAL checkpoint) never holds up the server's event loop. Plain JavaScript beside the
// compiled code, like the migrations: the same file serves the sources (tsx) and dist/.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { path, busyTimeoutMs, insert: insertSql } = workerData;
const db = new Database(path);
db.pragma(`busy_timeout = ${Number(busyTimeoutMs)}`);
db.pragma('synchronous = NORMAL'); // per connection; WAL itself is a property of the file
// better-sqlite3 builds SQLite with a 16 MB page cache per connection. Appends to the audit trail
// touch a page of each index per row and never read them again soon, so that cache only held
// ~20 MB of this thread's memory; SQLite's own default (2 MB) costs a re-read from the OS cache now
// and then, on this thread, not the event loop.
db.pragma('cache_size = -2000');
const insert = db.prepare(insertSql); // AUDIT_INSERT; each row is its parameters, in order
const insertAll = db.transaction((rows) => {
  for (const row of rows) insert.run(row);
});

parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.close();
    return;
  }
  try {
    insertAll(message.rows);
    parentPort.postMessage({ id: message.id });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: { message: error.message, code: error.code } });
  }
});
