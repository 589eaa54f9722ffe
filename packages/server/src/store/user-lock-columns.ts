import { LOCKED, OPEN, lockedUntil, type UserLock } from '../auth/user-lock.js';

// How a UserLock is kept in the users table, the same in both stores: `locked` for an operator's
// lock, `locked_until` for one that ends (a CHECK keeps them from being set together).

export interface LockColumns {
  readonly locked: boolean;
  readonly lockedUntil: Date | null;
}

export function lockFromColumns({ locked, lockedUntil: until }: LockColumns): UserLock {
  if (locked) return LOCKED;
  return until === null ? OPEN : lockedUntil(until);
}

export function lockColumns(lock: UserLock): LockColumns {
  return { locked: lock.kind === 'locked', lockedUntil: lock.kind === 'until' ? lock.until : null };
}
