// How long an e-mail is refused after too many consecutive failed logins: nothing until the
// threshold, then 1 s, 2 s, 4 s … doubling with each further failure, capped at 15 minutes.
// Growing, never permanent: an attacker can slow one account's guesses to a crawl but cannot lock
// its owner out for good (no lock-out denial of service).

export interface ThrottlePolicy {
  readonly maxFailures: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 15 * 60_000;

/** Milliseconds to refuse logins after `failures` consecutive failures; 0 below the threshold. */
export function blockDurationMs(
  failures: number,
  { maxFailures, baseDelayMs = BASE_DELAY_MS, maxDelayMs = MAX_DELAY_MS }: ThrottlePolicy,
): number {
  if (failures < maxFailures) return 0;
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, failures - maxFailures));
}

/** Whole seconds until `blockedUntil` (at least 1), or undefined when it has passed. */
export function retryAfterSeconds(blockedUntil: Date | undefined, nowMs: number): number | undefined {
  if (!blockedUntil || blockedUntil.getTime() <= nowMs) return undefined;
  return Math.max(1, Math.ceil((blockedUntil.getTime() - nowMs) / 1000));
}
