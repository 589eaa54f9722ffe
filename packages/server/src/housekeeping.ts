import type { FastifyBaseLogger } from 'fastify';
import type { UserStore } from './store/user-store.js';

// Once a minute: forget stale login failures (and keep that table bounded) and delete audit events
// past their retention. Every node may run it; the deletes are idempotent.

/** Failures not repeated for this long are forgotten: "consecutive" means within a day. */
export const LOGIN_FAILURE_MEMORY_MS = 24 * 3600_000;
/** At most this many e-mails are tracked; junk e-mails cannot grow the table beyond it. */
export const MAX_TRACKED_EMAILS = 100_000;

export interface Housekeeping {
  runOnce(): Promise<void>;
  stop(): void;
}

export function startHousekeeping(options: {
  readonly store: UserStore;
  readonly logger: FastifyBaseLogger;
  readonly auditRetentionSeconds: number;
  readonly now?: () => number;
  readonly intervalMs?: number;
}): Housekeeping {
  const { store, logger, auditRetentionSeconds, now = Date.now, intervalMs = 60_000 } = options;
  async function runOnce() {
    try {
      const failures = await store.pruneLoginFailures(new Date(now() - LOGIN_FAILURE_MEMORY_MS), MAX_TRACKED_EMAILS);
      const events = await store.pruneAuditEvents(new Date(now() - auditRetentionSeconds * 1000));
      if (failures + events > 0) logger.debug({ failures, events }, 'housekeeping removed old rows');
    } catch (error) {
      logger.warn({ err: error }, 'housekeeping failed; will retry');
    }
  }
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
