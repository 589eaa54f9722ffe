import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/store.js';
import type { SecretLabel } from './keyring.js';

// While tokens signed with a previous secret are still verified, the secret cannot go: once a
// minute this logs how many there were, and records in the database that a previous secret was
// in use, which `pacerpro-auth secret retire` reads (it cannot see other nodes' metrics).

export interface PreviousSecretUse {
  /** Called for every verification; counts only the previous secrets. */
  saw(label: SecretLabel): void;
  stop(): void;
}

export function watchPreviousSecretUse({
  store,
  logger,
  now = Date.now,
  intervalMs = 60_000,
}: {
  readonly store: Pick<Store, 'settings'>;
  readonly logger: FastifyBaseLogger;
  readonly now?: () => number;
  readonly intervalMs?: number;
}): PreviousSecretUse {
  let counts: Partial<Record<SecretLabel, number>> = {};
  let seen = false;
  const timer = setInterval(() => {
    if (!seen) return;
    const verifications = counts;
    counts = {};
    seen = false;
    logger.warn(
      { verifications },
      'tokens signed with a previous JWT secret were verified in the last minute: keep that secret until this stops (README, "Rotating the secret")',
    );
    store.settings
      .recordPreviousSecretUse(new Date(now()))
      .catch((error: unknown) => logger.warn({ err: error }, 'could not record the use of a previous JWT secret; retrying next minute'));
  }, intervalMs);
  timer.unref();
  return {
    saw(label) {
      if (label === 'current' || label === 'upcoming' || label === 'none') return;
      counts[label] = (counts[label] ?? 0) + 1;
      seen = true;
    },
    stop: () => clearInterval(timer),
  };
}
