// Whether an account may log in, as one value: open, locked by an operator until unlocked, or
// locked until a moment (Devise's lockable with unlock_strategy :time), after which it opens by
// itself. One union rather than a flag and a date, so "locked, and also until T" cannot be written.

export type UserLock = { readonly kind: 'open' } | { readonly kind: 'locked' } | { readonly kind: 'until'; readonly until: Date };

export const OPEN: UserLock = Object.freeze({ kind: 'open' });
export const LOCKED: UserLock = Object.freeze({ kind: 'locked' });

export function lockedUntil(until: Date): UserLock {
  return { kind: 'until', until };
}

/** Whether `lock` refuses a login or a token at `nowMs` (milliseconds since the epoch). */
export function isLockedAt(lock: UserLock, nowMs: number): boolean {
  if (lock.kind === 'open') return false;
  if (lock.kind === 'locked') return true;
  return nowMs < lock.until.getTime();
}
