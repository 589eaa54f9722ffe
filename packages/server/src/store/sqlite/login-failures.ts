import { blockDurationMs } from '../../auth/login-throttle.js';
import type { LoginFailureStore } from '../login-failures.js';
import type { SqliteConnection } from './connection.js';

export function sqliteLoginFailures({ db, now, run, write }: SqliteConnection): LoginFailureStore {
  const statements = {
    get: db.prepare<[string], { failures: number; blocked_until: number }>(
      'SELECT failures, blocked_until FROM login_failures WHERE lane_key = ?',
    ),
    charge: db.prepare<[string, number, number, number]>(
      `INSERT INTO login_failures (lane_key, failures, last_failure_at, blocked_until) VALUES (?, ?, ?, ?)
       ON CONFLICT (lane_key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
         blocked_until = excluded.blocked_until`,
    ),
    clear: db.prepare<[string]>('DELETE FROM login_failures WHERE lane_key = ?'),
    pruneStale: db.prepare<[number, number]>('DELETE FROM login_failures WHERE last_failure_at < ? AND blocked_until < ?'),
    pruneExcess: db.prepare<[number]>(
      `DELETE FROM login_failures WHERE lane_key IN (
         SELECT lane_key FROM login_failures ORDER BY blocked_until, last_failure_at
         LIMIT max(0, (SELECT count(*) FROM login_failures) - ?))`,
    ),
  };

  return {
    // Read, decide and write in one BEGIN IMMEDIATE transaction: no other process writes between.
    // A lane seen blocked by a plain read is refused without the write lock, so a flood of
    // throttled guesses costs reads only.
    async chargeAttempt(key, policy) {
      const blocked = (row: { blocked_until: number } | undefined, at: number) =>
        row && row.blocked_until > at ? ({ charged: false, blockedUntil: new Date(row.blocked_until) } as const) : undefined;
      const seen = await run(() => blocked(statements.get.get(key), now()));
      if (seen) return seen;
      return write(() => {
        const at = now();
        const row = statements.get.get(key);
        const refused = blocked(row, at);
        if (refused) return refused;
        const failures = (row?.failures ?? 0) + 1;
        const block = blockDurationMs(failures, policy);
        statements.charge.run(key, failures, at, block > 0 ? at + block : 0);
        return { charged: true } as const;
      });
    },
    clearLoginFailures: (keys) =>
      write(() => {
        for (const key of keys) statements.clear.run(key);
      }),
    pruneLoginFailures: (before, keepAtMost) =>
      write(() => statements.pruneStale.run(before.getTime(), now()).changes + statements.pruneExcess.run(keepAtMost).changes),
  };
}
