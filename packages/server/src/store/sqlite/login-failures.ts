import type { LoginFailureStore } from '../login-failures.js';
import type { SqliteConnection } from './connection.js';

export function sqliteLoginFailures({ db, now, run }: SqliteConnection): LoginFailureStore {
  const statements = {
    getFailures: db.prepare<[string], { failures: number; blocked_until: number }>(
      'SELECT failures, blocked_until FROM login_failures WHERE email_key = ?',
    ),
    recordFailure: db.prepare<[string, number], { failures: number }>(
      `INSERT INTO login_failures (email_key, failures, last_failure_at) VALUES (?, 1, ?)
       ON CONFLICT (email_key) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
       RETURNING failures`,
    ),
    block: db.prepare<[number, string]>('UPDATE login_failures SET blocked_until = max(blocked_until, ?) WHERE email_key = ?'),
    clearFailures: db.prepare<[string]>('DELETE FROM login_failures WHERE email_key = ?'),
    pruneStaleFailures: db.prepare<[number, number]>('DELETE FROM login_failures WHERE last_failure_at < ? AND blocked_until < ?'),
    pruneExcessFailures: db.prepare<[number]>(
      `DELETE FROM login_failures WHERE email_key IN (
         SELECT email_key FROM login_failures ORDER BY blocked_until, last_failure_at
         LIMIT max(0, (SELECT count(*) FROM login_failures) - ?))`,
    ),
  };

  return {
    getLoginFailures: (key) =>
      run(() => {
        const row = statements.getFailures.get(key);
        return row && { failures: row.failures, blockedUntil: row.blocked_until > 0 ? new Date(row.blocked_until) : undefined };
      }),
    recordLoginFailure: (key) => run(() => statements.recordFailure.get(key, now())!.failures),
    blockLogins: (key, until) => run(() => void statements.block.run(until.getTime(), key)),
    clearLoginFailures: (key) => run(() => void statements.clearFailures.run(key)),
    pruneLoginFailures: (before, keepAtMost) =>
      run(
        () => statements.pruneStaleFailures.run(before.getTime(), now()).changes + statements.pruneExcessFailures.run(keepAtMost).changes,
      ),
  };
}
