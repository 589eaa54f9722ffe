import type { LoginLaneKind } from '../../auth/login-lane.js';
import type { AuditEvent, AuditEventType, AuditStore } from '../audit.js';
import type { AuditSettler } from './audit-settler.js';
import type { SqliteConnection } from './connection.js';

// The audit part on SQLite. A batch is one write transaction on the store's own connection, on the
// event loop, like every other write: the audit trail commits one batch per turn and the request
// waits for it, and a batch of a few rows costs less here than the hop to a writer thread and back
// did (bench/NOTES.md, "The durable audit trail on SQLite: the event loop, not a thread"). The rows
// go into audit_events_incoming, which has no index to update; the settler moves them into the
// indexed audit_events off the event loop (audit-settler.ts), and reads take both tables.

interface AuditRow {
  at: number;
  event: AuditEventType;
  user_id: number | null;
  email_key: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  lane: LoginLaneKind | null;
}

/** An insert's parameters, in the order of its columns. */
type AuditInsert = [number, string, number | null, string | null, string | null, string | null, string | null, string | null];

const insertOf = (e: AuditEvent): AuditInsert => [
  e.at.getTime(),
  e.event,
  e.userId ?? null,
  e.email ?? null,
  e.ip ?? null,
  e.userAgent ?? null,
  e.requestId ?? null,
  e.lane ?? null,
];

function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    at: new Date(row.at),
    event: row.event,
    userId: row.user_id ?? undefined,
    email: row.email_key ?? undefined,
    ip: row.ip ?? undefined,
    userAgent: row.user_agent ?? undefined,
    requestId: row.request_id ?? undefined,
    lane: row.lane ?? undefined,
  };
}

/** The rows of one table matching a query, newest first; `part` orders the settled table's rows before the incoming ones. */
const matching = (table: string, part: number) =>
  `SELECT *, ${part} AS part FROM ${table}
   WHERE (@userId IS NULL AND @email IS NULL OR user_id = @userId OR email_key = @email) AND at >= @since`;

export function sqliteAudit({ db, run, write }: SqliteConnection, settler: AuditSettler): AuditStore {
  const statements = {
    appendAudit: db.prepare<AuditInsert>(
      'INSERT INTO audit_events_incoming (at, event, user_id, email_key, ip, user_agent, request_id, lane) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    listAudit: db.prepare<[{ userId: number | null; email: string | null; since: number; limit: number }], AuditRow>(
      `SELECT * FROM (
         ${matching('audit_events', 0)} UNION ALL ${matching('audit_events_incoming', 1)}
         ORDER BY at DESC, part DESC, id DESC LIMIT @limit
       ) ORDER BY at, part, id`,
    ),
    pruneSettled: db.prepare<[number]>('DELETE FROM audit_events WHERE at < ?'),
    pruneIncoming: db.prepare<[number]>('DELETE FROM audit_events_incoming WHERE at < ?'),
  };

  return {
    appendAuditEvents: (events) => {
      settler.start();
      return write(() => {
        for (const e of events) statements.appendAudit.run(...insertOf(e));
      });
    },
    listAuditEvents: ({ userId, email, since, limit }) =>
      run(() =>
        statements.listAudit.all({ userId: userId ?? null, email: email ?? null, since: since?.getTime() ?? 0, limit }).map(toAuditEvent),
      ),
    pruneAuditEvents: (before) =>
      write(() => statements.pruneSettled.run(before.getTime()).changes + statements.pruneIncoming.run(before.getTime()).changes),
  };
}
