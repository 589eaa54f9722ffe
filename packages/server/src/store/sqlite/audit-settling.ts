import type Database from 'better-sqlite3';

// Moving committed audit rows from audit_events_incoming into audit_events (migration 005 says why
// there are two tables). One move is one write transaction of at most `rows` rows, oldest first: the
// rows it takes leave the incoming table in the same transaction, so two processes settling the same
// file never move a row twice, and a crash leaves every row in exactly one table.

/** The statements of one move; the thread (workers/sqlite-audit-settler.js) prepares them from here. */
export const SETTLE_SQL = {
  /** The id of the last row of the next move (the rows-th oldest, or the newest), or no row. */
  upTo: 'SELECT max(id) AS id FROM (SELECT id FROM audit_events_incoming ORDER BY id LIMIT ?)',
  move: `INSERT INTO audit_events (at, event, user_id, email_key, ip, user_agent, request_id, lane)
         SELECT at, event, user_id, email_key, ip, user_agent, request_id, lane
         FROM audit_events_incoming WHERE id <= ? ORDER BY id`,
  remove: 'DELETE FROM audit_events_incoming WHERE id <= ?',
} as const;

/** Rows per move: enough for rows of one user to share index pages, short enough to hold the write lock for milliseconds. */
export const SETTLE_ROWS = 1000;

/** How often the incoming table is looked at. */
export const SETTLE_INTERVAL_MS = 200;

/** One move on `db`, as a function returning how many rows it moved (0: nothing waited). */
export function settler(db: Database.Database, rows = SETTLE_ROWS): () => number {
  const upTo = db.prepare<[number], { id: number | null }>(SETTLE_SQL.upTo);
  const move = db.prepare<[number]>(SETTLE_SQL.move);
  const remove = db.prepare<[number]>(SETTLE_SQL.remove);
  const once = db.transaction((): number => {
    const last = upTo.get(rows)?.id;
    if (last === null || last === undefined) return 0;
    move.run(last);
    return remove.run(last).changes;
  });
  return () => once.immediate();
}
