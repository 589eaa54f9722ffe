import type { LoginLaneKind } from '../../auth/login-lane.js';
import type { AuditEvent, AuditEventType, AuditStore } from '../audit.js';
import type { PostgresConnection } from './connection.js';

interface AuditRow {
  at: Date;
  event: AuditEventType;
  user_id: string | null;
  email_key: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  lane: LoginLaneKind | null;
}

/** An event as one element of the JSON array appendAuditEvents sends (absent fields are NULL). */
const jsonRow = (e: AuditEvent) => ({
  at: e.at.getTime(),
  event: e.event,
  user_id: e.userId,
  email_key: e.email,
  ip: e.ip,
  user_agent: e.userAgent,
  request_id: e.requestId,
  lane: e.lane,
});

export function postgresAudit({ query }: PostgresConnection): AuditStore {
  return {
    async appendAuditEvents(events) {
      if (events.length === 0) return;
      // One statement and one parameter for the whole batch: the rows as one JSON array. pg turns
      // eight arrays (and a Date each) into text element by element in JavaScript; JSON.stringify is
      // one native call, and the event loop is what a refresh waits for (bench/NOTES.md).
      await query(
        'append-audit',
        `INSERT INTO audit_events (at, event, user_id, email_key, ip, user_agent, request_id, lane)
         SELECT to_timestamp(r.at / 1000.0), r.event, r.user_id, r.email_key, r.ip, r.user_agent, r.request_id, r.lane
         FROM json_to_recordset($1::json) AS r(at double precision, event text, user_id bigint, email_key text, ip text,
                                              user_agent text, request_id text, lane text)`,
        [JSON.stringify(events.map(jsonRow))],
      );
    },
    async listAuditEvents({ userId, email, since, limit }) {
      const { rows } = await query<AuditRow>(
        'list-audit',
        `SELECT * FROM (
           SELECT * FROM audit_events
           WHERE ($1::bigint IS NULL AND $2::text IS NULL OR user_id = $1 OR email_key = $2) AND at >= $3
           ORDER BY at DESC, id DESC LIMIT $4
         ) newest ORDER BY at, id`,
        [userId ?? null, email ?? null, since ?? new Date(0), limit],
      );
      return rows.map((row) => ({
        at: row.at,
        event: row.event,
        userId: row.user_id === null ? undefined : Number(row.user_id),
        email: row.email_key ?? undefined,
        ip: row.ip ?? undefined,
        userAgent: row.user_agent ?? undefined,
        requestId: row.request_id ?? undefined,
        lane: row.lane ?? undefined,
      }));
    },
    async pruneAuditEvents(before) {
      return (await query('prune-audit', 'DELETE FROM audit_events WHERE at < $1', [before])).rowCount ?? 0;
    },
  };
}
