import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.js';

// What a login lane holds, read through the store's interface: the store has no read of a lane (the
// server never needs one: a login only charges, clears and prunes), so tests read one by charging it.

const MINUTE = 60_000;
/** Blocks from the first check on: 1 min after it, 2 min after the second … so the block names the count. */
const PROBE = { maxFailures: 1, baseDelayMs: MINUTE, maxDelayMs: Number.MAX_SAFE_INTEGER };

/**
 * The checks charged to a lane since it was last cleared (0 for a lane with no row), or 'blocked'
 * while it is refusing checks. It charges the lane once more and then reads the block that charge
 * started, so it changes the lane: probe a lane last. `nowMs` is the store's clock; a real clock
 * works too, as a block is whole minutes long.
 */
export async function chargedChecks(store: Pick<Store, 'loginFailures'>, laneKey: string, nowMs: number): Promise<number | 'blocked'> {
  if (!(await store.loginFailures.chargeAttempt(laneKey, PROBE)).charged) return 'blocked';
  const after = await store.loginFailures.chargeAttempt(laneKey, PROBE);
  assert.ok(!after.charged, 'the probing charge blocks the lane');
  // n checks before the probe: the probe's is the (n+1)th, and it blocks for 2^n minutes.
  return Math.round(Math.log2((after.blockedUntil.getTime() - nowMs) / MINUTE));
}
