import type { FastifyBaseLogger } from 'fastify';
import type { AuditStore } from './store/audit.js';
import { KNOWN_ADDRESS_DAYS } from './auth/login-lane.js';
import type { KnownClientStore } from './store/known-clients.js';
import type { LoginFailureStore } from './store/login-failures.js';

// Once a minute: forget stale login failures (and keep that table bounded), the addresses and
// device credentials that no longer make a client known, and audit events past their retention. Every node may run it; the deletes are idempotent.

/** Failures not repeated for this long are forgotten: "consecutive" means within a day. */
export const LOGIN_FAILURE_MEMORY_MS = 24 * 3600_000;
/** At most this many e-mails are tracked; junk e-mails cannot grow the table beyond it. */
export const MAX_TRACKED_EMAILS = 100_000;

/** What housekeeping may do to the store: delete old rows, nothing else. */
export interface PrunableStore {
  readonly loginFailures: Pick<LoginFailureStore, 'pruneLoginFailures'>;
  readonly knownClients: Pick<KnownClientStore, 'pruneKnownClients'>;
  readonly audit: Pick<AuditStore, 'pruneAuditEvents'>;
}

export interface Housekeeping {
  runOnce(): Promise<void>;
  stop(): void;
}

export function startHousekeeping(options: {
  readonly store: PrunableStore;
  readonly logger: FastifyBaseLogger;
  readonly auditRetentionSeconds: number;
  readonly deviceCredentialTtlSeconds: number;
  readonly now?: () => number;
  readonly intervalMs?: number;
}): Housekeeping {
  const { store, logger, auditRetentionSeconds, deviceCredentialTtlSeconds, now = Date.now, intervalMs = 60_000 } = options;
  async function runOnce() {
    try {
      const failures = await store.loginFailures.pruneLoginFailures(new Date(now() - LOGIN_FAILURE_MEMORY_MS), MAX_TRACKED_EMAILS);
      const clients = await store.knownClients.pruneKnownClients(
        new Date(now() - KNOWN_ADDRESS_DAYS * 86_400_000),
        new Date(now() - deviceCredentialTtlSeconds * 1000),
      );
      const events = await store.audit.pruneAuditEvents(new Date(now() - auditRetentionSeconds * 1000));
      if (failures + clients + events > 0) logger.debug({ failures, clients, events }, 'housekeeping removed old rows');
    } catch (error) {
      logger.warn({ err: error }, 'housekeeping failed; will retry');
    }
  }
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
