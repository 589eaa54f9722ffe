import type { FastifyBaseLogger } from 'fastify';
import type { AuditEvent, AuditStore } from '../store/audit.js';

// Every security event goes to the structured log at once and to the audit_events table in
// batches: a refresh pays for one log line, never for a synchronous database write. With
// flushIntervalMs 0 each event is written before the request answers instead.

/** An event as recorded: the trail stamps the time. */
export type NewAuditEvent = Omit<AuditEvent, 'at'>;

export interface AuditTrail {
  /**
   * Resolves at once when batching; after the write when flushIntervalMs is 0. Logs through
   * `log` when given (a request's logger, so the line carries its reqId), else the trail's own.
   */
  record(event: NewAuditEvent, log?: FastifyBaseLogger): Promise<void>;
  /** Writes what is queued. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is queued. */
  close(): Promise<void>;
}

export interface AuditTrailOptions {
  readonly store: AuditStore;
  readonly logger: FastifyBaseLogger;
  readonly flushIntervalMs: number;
  /** A batch is written as soon as this many events wait. */
  readonly maxBatch?: number;
  /** Events kept for a retry while the database is down; older ones beyond it are dropped (and said so). */
  readonly maxQueued?: number;
  readonly now?: () => number;
}

/** The row: the event and its time, built field by field (one shape for every event; no spread). */
function stamped(fields: NewAuditEvent, atMs: number): AuditEvent {
  const { event, userId, email, ip, userAgent, requestId } = fields;
  return { at: new Date(atMs), event, userId, email, ip, userAgent, requestId };
}

export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  // Batches of 100. Bigger batches are cheaper for SQLite's writer thread (~7.5 µs a row of its CPU
  // at 100, ~5.6 at 500: rows share index pages) but cost PostgreSQL's event loop far more: at 500,
  // refresh fell from 22.1-22.6k to 15.7-17.5k/s (45 -> 62-69 µs of CPU each, bench/NOTES.md).
  const { store, logger, flushIntervalMs, maxBatch = 100, maxQueued = 10_000, now = Date.now } = options;
  let queue: AuditEvent[] = [];
  let writing: Promise<void> = Promise.resolve();

  function write(): Promise<void> {
    if (queue.length === 0) return writing;
    const batch = queue;
    queue = [];
    writing = writing.then(() =>
      store.appendAuditEvents(batch).catch((error: unknown) => {
        // Keep the events for the next flush, up to a bound, so a database outage loses none of the
        // recent ones and cannot exhaust memory either.
        queue = [...batch, ...queue];
        const dropped = queue.length - maxQueued;
        if (dropped > 0) queue = queue.slice(dropped);
        logger.error({ err: error, queued: queue.length, dropped: Math.max(0, dropped) }, 'audit events could not be written; will retry');
      }),
    );
    return writing;
  }

  const timer = flushIntervalMs > 0 ? setInterval(() => void write(), flushIntervalMs) : undefined;
  timer?.unref();

  return {
    record(fields, log = logger) {
      // The log line's own time field stamps it; formatting a Date there too cost more than the rest of the line.
      log.info({ audit: fields }, `audit: ${fields.event}`);
      queue.push(stamped(fields, now()));
      if (flushIntervalMs === 0) return write();
      if (queue.length >= maxBatch) void write();
      return Promise.resolve();
    },
    flush: write,
    async close() {
      if (timer) clearInterval(timer);
      await write();
    },
  };
}
