import type Database from 'better-sqlite3';

// Moving committed audit rows from audit_events_incoming into audit_events (migration 005 says why
// there are two tables). One move is one write transaction of at most `rows` rows, oldest first: the
// rows it takes leave the incoming table in the same transaction, so two processes settling the same
// file never move a row twice, and a crash leaves every row in exactly one table.

/** The oldest `?` rows waiting: the ones a move takes. Read twice in one write transaction, it is the same rows twice. */
const OLDEST = 'SELECT id FROM audit_events_incoming ORDER BY id LIMIT ?';

/**
 * One move is these two statements in one write transaction, each given the number of rows; the
 * thread (workers/sqlite-audit-settler.js) runs them as settler() below does, which the tests use.
 */
export const SETTLE_SQL = {
  move: `INSERT INTO audit_events (at, event, user_id, email_key, ip, user_agent, request_id, lane)
         SELECT at, event, user_id, email_key, ip, user_agent, request_id, lane
         FROM audit_events_incoming WHERE id IN (${OLDEST}) ORDER BY id`,
  remove: `DELETE FROM audit_events_incoming WHERE id IN (${OLDEST})`,
} as const;

/** Rows per move: enough for rows of one user to share index pages, short enough to hold the write lock for milliseconds. */
export const SETTLE_ROWS = 1000;

/** How often the incoming table is looked at. */
export const SETTLE_INTERVAL_MS = 200;

/** One move on `db`, as a function returning how many rows it moved (0: nothing waited). */
export function settler(db: Database.Database, rows = SETTLE_ROWS): () => number {
  const move = db.prepare<[number]>(SETTLE_SQL.move);
  const remove = db.prepare<[number]>(SETTLE_SQL.remove);
  const once = db.transaction((): number => {
    move.run(rows);
    return remove.run(rows).changes;
  });
  return () => once.immediate();
}
