import type { ThrottlePolicy } from '../auth/login-throttle.js';

// The login-failures part of the store: one counter per login lane (auth/login-lane.ts), shared
// by every node on the database.

/** The outcome of charging a check to a lane: charged (the check may run), or refused while blocked. */
export type Charge = { readonly charged: true } | { readonly charged: false; readonly blockedUntil: Date };

export interface LoginFailureStore {
  /**
   * Counts one more check against the lane, atomically across nodes, unless it is blocked; when
   * the new count reaches the policy's threshold the block (blockDurationMs) starts now. A check is
   * charged before it runs, so parallel guesses, on any number of nodes, get no more checks than
   * the threshold allows. Rejects (StoreUnavailableError) when the charge cannot be written: the
   * check must then not run.
   */
  chargeAttempt(laneKey: string, policy: ThrottlePolicy): Promise<Charge>;
  clearLoginFailures(laneKeys: readonly string[]): Promise<void>;
  /**
   * Forgets lanes last charged before `before` (unless still blocked), then the oldest rows beyond
   * `keepAtMost`, unblocked ones first: junk e-mails cannot grow the table without bound.
   */
  pruneLoginFailures(before: Date, keepAtMost: number): Promise<number>;
}
