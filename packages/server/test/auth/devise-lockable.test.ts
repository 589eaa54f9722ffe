import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deviseLock, parseRailsTime } from '../../src/auth/devise-lockable.js';
import { isLockedAt } from '../../src/auth/user-lock.js';

const LOCKED_AT = new Date(Date.UTC(2026, 10, 28, 6, 0, 0));
const HOUR = 3600;

describe('deviseLock', () => {
  test('a locked_at within unlock_in refuses, and past it accepts (was: every locked_at a permanent lock)', () => {
    const lock = deviseLock(LOCKED_AT, { unlockInSeconds: HOUR });
    assert.deepEqual(lock, { kind: 'until', until: new Date(LOCKED_AT.getTime() + HOUR * 1000) });
    assert.equal(isLockedAt(lock, LOCKED_AT.getTime() + HOUR * 1000 - 1), true);
    assert.equal(isLockedAt(lock, LOCKED_AT.getTime() + HOUR * 1000), false);
  });

  test('unlock_in never (unlock_strategy :email) is a lock without an end', () => {
    const lock = deviseLock(LOCKED_AT, { unlockInSeconds: 'never' });
    assert.deepEqual(lock, { kind: 'locked' });
    assert.equal(isLockedAt(lock, LOCKED_AT.getTime() + 365 * 86_400_000), true);
  });

  test('no locked_at is open, as in Devise', () => {
    assert.deepEqual(deviseLock(undefined, { unlockInSeconds: HOUR }), { kind: 'open' });
    assert.deepEqual(deviseLock(undefined, { unlockInSeconds: 'never' }), { kind: 'open' });
  });
});

describe('parseRailsTime', () => {
  test('reads PostgreSQL text and CSV forms; no offset is UTC, as Rails writes', () => {
    const forms = [
      '2026-11-28 06:00:00',
      '2026-11-28T06:00:00',
      '2026-11-28 06:00:00 UTC',
      '2026-11-28 06:00:00Z',
      '2026-11-28 07:00:00+01',
      '2026-11-28 11:30:00+05:30',
      '2026-11-28 01:00:00-0500',
    ];
    for (const text of forms) assert.deepEqual(parseRailsTime(text), LOCKED_AT, text);
    assert.deepEqual(parseRailsTime('2026-11-28 06:00:00.123456'), new Date(LOCKED_AT.getTime() + 123));
  });

  test('refuses what is not a time', () => {
    for (const text of ['', 'yesterday', '2026-11-28', '2026-13-28 06:00:00', '2026-11-28 06:00:00 CET', '1764309600']) {
      assert.equal(parseRailsTime(text), undefined, text);
    }
  });
});
