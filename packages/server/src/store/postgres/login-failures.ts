import { blockSchedule } from '../../auth/login-throttle.js';
import type { LoginFailureStore } from '../login-failures.js';
import type { PostgresConnection } from './connection.js';

export function postgresLoginFailures({ query, at }: PostgresConnection): LoginFailureStore {
  return {
    // One statement: the upsert takes the row's lock, so concurrent charges from every node are
    // counted one after another, and one refused while blocked changes nothing. The block for the
    // new count comes from the policy's schedule, passed in (login-throttle.ts computes it).
    async chargeAttempt(key, policy) {
      const now = at();
      const { rows } = await query<{ failures: number | null; blocked_until: Date | null }>(
        'charge-attempt',
        `WITH charged AS (
           INSERT INTO login_failures AS f (lane_key, failures, last_failure_at, blocked_until)
           VALUES ($1, 1, $2::timestamptz, $2::timestamptz + ($3::float8[])[1] * interval '1 millisecond')
           ON CONFLICT (lane_key) DO UPDATE SET
             failures = f.failures + 1,
             last_failure_at = EXCLUDED.last_failure_at,
             blocked_until = $2::timestamptz + ($3::float8[])[LEAST(f.failures + 1, cardinality($3::float8[]))] * interval '1 millisecond'
           WHERE f.blocked_until IS NULL OR f.blocked_until <= $2::timestamptz
           RETURNING failures
         )
         SELECT (SELECT failures FROM charged) AS failures,
                (SELECT blocked_until FROM login_failures WHERE lane_key = $1) AS blocked_until`,
        [key, now, blockSchedule(policy)],
      );
      const row = rows[0]!;
      if (row.failures !== null) return { charged: true };
      // Refused: the lane is blocked. The statement's snapshot may predate the block that refused
      // it (set by a charge committed meanwhile); then a second is the honest wait to report.
      const blockedUntil = row.blocked_until && row.blocked_until > now ? row.blocked_until : new Date(now.getTime() + 1000);
      return { charged: false, blockedUntil };
    },
    async clearLoginFailures(keys) {
      await query('clear-failures', 'DELETE FROM login_failures WHERE lane_key = ANY($1::text[])', [keys]);
    },
    async pruneLoginFailures(before, keepAtMost) {
      const stale = await query(
        'prune-stale-failures',
        'DELETE FROM login_failures WHERE last_failure_at < $1 AND (blocked_until IS NULL OR blocked_until < $2)',
        [before, at()],
      );
      const excess = await query(
        'prune-excess-failures',
        `DELETE FROM login_failures WHERE lane_key IN (
           SELECT lane_key FROM login_failures ORDER BY blocked_until NULLS FIRST, last_failure_at
           LIMIT GREATEST(0, (SELECT count(*) FROM login_failures) - $1))`,
        [keepAtMost],
      );
      return (stale.rowCount ?? 0) + (excess.rowCount ?? 0);
    },
  };
}
