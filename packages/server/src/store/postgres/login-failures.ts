import type { LoginFailureStore } from '../login-failures.js';
import type { PostgresConnection } from './connection.js';

export function postgresLoginFailures({ query, at }: PostgresConnection): LoginFailureStore {
  return {
    async getLoginFailures(key) {
      const { rows } = await query<{ failures: number; blocked_until: Date | null }>(
        'get-failures',
        'SELECT failures, blocked_until FROM login_failures WHERE email_key = $1',
        [key],
      );
      return rows[0] && { failures: rows[0].failures, blockedUntil: rows[0].blocked_until ?? undefined };
    },
    async recordLoginFailure(key) {
      const { rows } = await query<{ failures: number }>(
        'record-failure',
        `INSERT INTO login_failures (email_key, failures, last_failure_at) VALUES ($1, 1, $2)
         ON CONFLICT (email_key) DO UPDATE SET failures = login_failures.failures + 1, last_failure_at = EXCLUDED.last_failure_at
         RETURNING failures`,
        [key, at()],
      );
      return rows[0]!.failures;
    },
    async blockLogins(key, until) {
      await query('block-logins', 'UPDATE login_failures SET blocked_until = GREATEST(blocked_until, $1) WHERE email_key = $2', [
        until,
        key,
      ]);
    },
    async clearLoginFailures(key) {
      await query('clear-failures', 'DELETE FROM login_failures WHERE email_key = $1', [key]);
    },
    async pruneLoginFailures(before, keepAtMost) {
      const stale = await query(
        'prune-stale-failures',
        'DELETE FROM login_failures WHERE last_failure_at < $1 AND (blocked_until IS NULL OR blocked_until < $2)',
        [before, at()],
      );
      const excess = await query(
        'prune-excess-failures',
        `DELETE FROM login_failures WHERE email_key IN (
           SELECT email_key FROM login_failures ORDER BY blocked_until NULLS FIRST, last_failure_at
           LIMIT GREATEST(0, (SELECT count(*) FROM login_failures) - $1))`,
        [keepAtMost],
      );
      return (stale.rowCount ?? 0) + (excess.rowCount ?? 0);
    },
  };
}
