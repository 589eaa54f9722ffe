// @ts-check
// The SQLite store's audit settler thread (started by src/store/sqlite/audit-settler.ts): moves
// committed audit rows from audit_events_incoming into the indexed audit_events, and runs the WAL's
// checkpoints, on a connection of its own. Both write pages all over the file, and a checkpoint waits
// for the disk (fsync): here they never hold up the server's event loop. Plain JavaScript beside the
// compiled code, like the migrations: the same file serves the sources (tsx) and dist/.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {import('../src/store/sqlite/audit-settler.js').SettlerThreadData} */
const { path, busyTimeoutMs, sql, rows, intervalMs, restartFrames } = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

const db = new Database(path);
// A thread may wait for the write lock inside SQLite: nothing else runs on it. But not long: a
// lock held elsewhere (a backup, another node) is waited out round by round instead, so that
// closing the store never waits for more than one short wait.
db.pragma(`busy_timeout = ${Math.min(Number(busyTimeoutMs), 250)}`);
db.pragma('synchronous = NORMAL'); // per connection; WAL itself is a property of the file
db.pragma('wal_autocheckpoint = 0'); // the checkpoints are the explicit ones below
// One move, as settler() in src/store/sqlite/audit-settling.ts runs it (the tests run that one).
const move = db.prepare(sql.move);
const remove = db.prepare(sql.remove);
const moveOnce = db.transaction(() => {
  move.run(rows);
  return remove.run(rows).changes;
});

/**
 * A passive checkpoint copies the WAL's frames into the database without stopping the writers; but
 * while the event loop keeps appending, the WAL never comes to an end at which it can start over, so
 * once it holds restartFrames frames a RESTART checkpoint waits for the writer, copies the rest and
 * lets the next write begin the WAL anew.
 */
function checkpoint() {
  const [{ log }] = /** @type {[{ log: number }]} */ (db.pragma('wal_checkpoint(PASSIVE)'));
  if (log > restartFrames) db.pragma('wal_checkpoint(RESTART)');
}

/** @type {NodeJS.Timeout | undefined} */
let timer;
let lastFailure = '';

function settle() {
  let moved = 0;
  try {
    moved = moveOnce.immediate();
    checkpoint();
    lastFailure = '';
  } catch (error) {
    // The rows stay committed in audit_events_incoming, where the store reads them too; the next
    // round tries again. The store is told once per kind of failure, not every round, and not of
    // another writer's lock (the event loop's own writes report that one to their requests).
    const { code, message } = /** @type {{ code?: string, message: string }} */ (error);
    const kind = code ?? message;
    if (!/^SQLITE_(BUSY|LOCKED)/.test(kind) && kind !== lastFailure) port.postMessage({ failed: { code, message } });
    lastFailure = kind;
  }
  // A full move leaves more behind: go on soon, but let the event loop's writes have the lock in between.
  timer = setTimeout(settle, moved === rows ? 5 : intervalMs);
}

port.on('message', (message) => {
  if (message !== 'close') return;
  clearTimeout(timer);
  db.close();
  port.close();
});
settle(); // started a round after the first row (audit-settler.ts): there is work already
