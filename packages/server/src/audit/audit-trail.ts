import type { FastifyBaseLogger } from 'fastify';
import type { AuditEvent, AuditStore } from '../store/audit.js';
import { createBatchWriter } from '../store/batch-writer.js';

// Every security event goes to the structured log at once and to the audit_events table before its
// request answers: an auth audit trail is evidence, so what was answered must survive a kill -9.
// The events recorded in one turn of the event loop are committed together, in one
// appendAuditEvents call (batch-writer.ts, as the jti rotations of one turn are): under load a
// turn brings several requests, and one commit for all of them costs far less than one each.

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
  const { event, userId, email, ip, userAgent, requestId } = fields;
  return { at: new Date(atMs), event, userId, email, ip, userAgent, requestId };
}

export function createAuditTrail({ store, logger, now = Date.now }: AuditTrailOptions): AuditTrail {
  // One promise per commit (not per event), so close() can wait for those still in flight.
  const inFlight = new Set<Promise<void>>();
  const commit = createBatchWriter<AuditEvent, void>((events) => {
    const written = store.appendAuditEvents(events);
    const settled = written.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return written.then(() => events.map(() => undefined));
  });

  function record(fields: NewAuditEvent, log: FastifyBaseLogger = logger): Promise<void> {
    // The log line's own time field stamps it; formatting a Date there too cost more than the rest of the line.
    log.info({ audit: fields }, `audit: ${fields.event}`);
    return commit(stamped(fields, now()));
  }

  return {
    record,
    recordUnawaited(fields, log = logger) {
      record(fields, log).catch((error: unknown) => log.error({ err: error, event: fields.event }, 'audit event could not be written'));
    },
    async close() {
      await new Promise(setImmediate); // events of this turn are handed to the store after it
      await Promise.all(inFlight);
    },
  };
}
