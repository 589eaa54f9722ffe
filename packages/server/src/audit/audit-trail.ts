import type { FastifyBaseLogger } from 'fastify';
import type { AuditEvent, AuditStore } from '../store/audit.js';
import { createGroupCommit } from '../store/group-commit.js';

// Every security event goes to the structured log at once and to the audit_events table before its
// request answers: an auth audit trail is evidence, so what was answered must survive a kill -9.
// The events of one turn of the event loop are committed together, and those that arrive while a
// commit is in flight go together in the next (store/group-commit.ts): one commit for many requests
// costs far less than one each, on SQLite and on PostgreSQL alike.

/** An event as recorded: the trail stamps the time. */
export type NewAuditEvent = Omit<AuditEvent, 'at'>;

export interface AuditTrail {
  /**
   * Logs the event at once, through `log` when given (a request's logger, so the line carries its
   * reqId), else the trail's own; resolves once its row is committed, and rejects with the store's
   * error (StoreUnavailableError: the request answers 503) when that commit failed.
   */
  record(event: NewAuditEvent, log?: FastifyBaseLogger): Promise<void>;
  /**
   * Records an event no answer waits for (a 429 of the per-IP limit, built synchronously by the
   * rate limiter): it is committed with its turn all the same, and a failed commit is logged.
   */
  recordUnawaited(event: NewAuditEvent, log?: FastifyBaseLogger): void;
  /** Waits for the commits in flight. */
  close(): Promise<void>;
}

export interface AuditTrailOptions {
  readonly store: AuditStore;
  readonly logger: FastifyBaseLogger;
  readonly now?: () => number;
}

/** The row: the event and its time, built field by field (one shape for every event; no spread). */
function stamped(fields: NewAuditEvent, atMs: number): AuditEvent {
  const { event, userId, email, ip, userAgent, requestId, lane } = fields;
  return { at: new Date(atMs), event, userId, email, ip, userAgent, requestId, lane };
}

export function createAuditTrail({ store, logger, now = Date.now }: AuditTrailOptions): AuditTrail {
  // At most 100 rows a commit: PostgreSQL's event loop pays for a bigger insert far more than
  // linearly (bench/NOTES.md, "Audit batches of 500 rows").
  const commits = createGroupCommit<AuditEvent, void>(async (events) => {
    await store.appendAuditEvents(events);
    return [];
  }, 100);

  function record(fields: NewAuditEvent, log: FastifyBaseLogger = logger): Promise<void> {
    // The log line's own time field stamps it; formatting a Date there too cost more than the rest of the line.
    log.info({ audit: fields }, `audit: ${fields.event}`);
    return commits.add(stamped(fields, now()));
  }

  return {
    record,
    recordUnawaited(fields, log = logger) {
      record(fields, log).catch((error: unknown) => log.error({ err: error, event: fields.event }, 'audit event could not be written'));
    },
    close: () => commits.idle(),
  };
}
