import { LOCKED, OPEN, lockedUntil, type UserLock } from './user-lock.js';

// Devise's lockable, read as Devise reads it: `access_locked?` is `locked_at` set and not expired,
// and with unlock_strategy :time a lock expires `unlock_in` after `locked_at`. With :email (or
// :none) it never expires by itself: `never` here.

export interface DeviseLockable {
  /** Devise's `unlock_in` in seconds, or 'never' when the app unlocks only by e-mail (or not at all). */
  readonly unlockInSeconds: number | 'never';
}

/**
 * The lock a Devise row means. `locked_at` alone decides, as in Devise's `access_locked?`:
 * `failed_attempts` reaching `maximum_attempts` is what set `locked_at`, and without `locked_at`
 * Devise lets the right password in, so a count alone does not lock here either.
 */
export function deviseLock(lockedAt: Date | undefined, lockable: DeviseLockable): UserLock {
  if (lockedAt === undefined) return OPEN;
  if (lockable.unlockInSeconds === 'never') return LOCKED;
  return lockedUntil(new Date(lockedAt.getTime() + lockable.unlockInSeconds * 1000));
}

/**
 * A Rails timestamp as the database or a CSV gives it as text: `2026-11-28 06:00:00.123456`, with or
 * without an offset (`+00`, `+05:30`, `Z`, ` UTC`). Rails writes `timestamp without time zone` in
 * UTC, so a time without an offset is UTC.
 */
export function parseRailsTime(text: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,6})? ?(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const offset =
    zone === 'Z' || zone === 'UTC'
      ? 'Z'
      : zone.length === 3
        ? `${zone}:00`
        : zone.includes(':')
          ? zone
          : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${date}T${time}${fraction.slice(0, 4)}${offset}`);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
