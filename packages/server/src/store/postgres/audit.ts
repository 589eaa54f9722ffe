import type { LoginLaneKind } from '../../auth/login-lane.js';
import type { AuditEventType, AuditStore } from '../audit.js';
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

export function postgresAudit({ query }: PostgresConnection): AuditStore {
  return {
    async appendAuditEvents(events) {
      if (events.length === 0) return;
      // One statement for the whole batch: column arrays unnested into rows.
      await query(
        'append-audit',
        `INSERT INTO audit_events (at, event, user_id, email_key, ip, user_agent, request_id, lane)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
        [
          events.map((e) => e.at),
          events.map((e) => e.event),
          events.map((e) => e.userId ?? null),
          events.map((e) => e.email ?? null),
          events.map((e) => e.ip ?? null),
          events.map((e) => e.userAgent ?? null),
          events.map((e) => e.requestId ?? null),
          events.map((e) => e.lane ?? null),
        ],
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
