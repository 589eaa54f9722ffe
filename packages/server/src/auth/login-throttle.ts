// How long a login lane (login-lane.ts) is refused once too many password checks were charged to
// it: nothing until the threshold, then 1 s, 2 s, 4 s … doubling with each further check, capped
// at 15 minutes. Each check is charged before it runs (sessions.ts), so the count is also the bound
// on checks in flight, however many nodes share the database. The budget this gives an attacker
// per lane is in SECURITY.md, and a test holds the policy to it.

export interface ThrottlePolicy {
  readonly maxFailures: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 15 * 60_000;

/** Milliseconds to refuse a lane after its `failures`-th charged check; 0 below the threshold. */
export function blockDurationMs(
  failures: number,
  { maxFailures, baseDelayMs = BASE_DELAY_MS, maxDelayMs = MAX_DELAY_MS }: ThrottlePolicy,
): number {
  if (failures < maxFailures) return 0;
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, failures - maxFailures));
}

/**
 * blockDurationMs for 1, 2, … failures, up to the first count that reaches the cap (every later
 * count has the last entry's): what a store that computes the block in SQL indexes.
 */
export function blockSchedule(policy: ThrottlePolicy): number[] {
  const schedule: number[] = [];
  const cap = policy.maxDelayMs ?? MAX_DELAY_MS;
  for (let failures = 1; schedule.at(-1) !== cap && failures <= policy.maxFailures + 31; failures++) {
    schedule.push(blockDurationMs(failures, policy));
  }
  return schedule;
}

/** Whole seconds until `blockedUntil` (at least 1), or undefined when it has passed. */
export function retryAfterSeconds(blockedUntil: Date | undefined, nowMs: number): number | undefined {
  if (!blockedUntil || blockedUntil.getTime() <= nowMs) return undefined;
  return Math.max(1, Math.ceil((blockedUntil.getTime() - nowMs) / 1000));
}
