import { isBcryptHash } from '../auth/devise-bcrypt.js';
import { deviseLock, parseRailsTime, type DeviseLockable } from '../auth/devise-lockable.js';
import { emailKey, isEmailAddress } from '../auth/email.js';
import { randomJti } from '../auth/jti-matcher.js';
import { UUID } from '../auth/tokens.js';
import type { ImportedUser, User } from '../store/users.js';

// The pure half of `import devise`: what a row of a Rails `users` table (or its CSV) becomes, and
// what importing it would do. No I/O here, so every rule is tested on plain values.

export const REQUIRED_COLUMNS = ['id', 'email', 'encrypted_password', 'jti'] as const;
// failed_attempts is accepted but not carried over: our throttling counts failures itself, and a
// Devise lock is already in locked_at (read with the app's unlock_in: devise-lockable.ts).
export const OPTIONAL_COLUMNS = ['locked_at', 'failed_attempts'] as const;

/** One source row by column name; values as the source gives them (CSV: strings, '' for NULL). */
export type DeviseRow = Readonly<Record<string, unknown>>;

export type MappedRow =
  | { readonly ok: true; readonly user: ImportedUser; readonly note?: string }
  | { readonly ok: false; readonly reason: string };

const present = (value: unknown) => value !== null && value !== undefined && value !== '';

function parseId(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text.trim())) return undefined;
  const id = Number(text.trim());
  return Number.isSafeInteger(id) && id >= 1 ? id : undefined;
}

/** The columns a source lacks, of those every row needs. */
export function missingColumns(columns: readonly string[]): string[] {
  return REQUIRED_COLUMNS.filter((column) => !columns.includes(column));
}

export function mapDeviseRow(row: DeviseRow, lockable: DeviseLockable, newJti: () => string = randomJti): MappedRow {
  const id = parseId(row.id);
  if (id === undefined) return { ok: false, reason: `id ${JSON.stringify(row.id ?? null)} is not a positive integer` };
  const email = typeof row.email === 'string' ? row.email.trim() : '';
  if (!isEmailAddress(email)) return { ok: false, reason: `email ${JSON.stringify(row.email ?? null)} is not an e-mail address` };
  const hash = row.encrypted_password;
  if (!present(hash)) return { ok: false, reason: 'encrypted_password is empty: the account has no password to log in with' };
  if (typeof hash !== 'string' || !isBcryptHash(hash)) return { ok: false, reason: 'encrypted_password is not a bcrypt hash' };
  let lockedAt: Date | undefined;
  if (present(row.locked_at)) {
    lockedAt = typeof row.locked_at === 'string' ? parseRailsTime(row.locked_at) : undefined;
    if (!lockedAt) return { ok: false, reason: `locked_at ${JSON.stringify(row.locked_at)} is not a time (expected 2026-11-28 06:00:00)` };
  }
  const lock = deviseLock(lockedAt, lockable);
  if (typeof row.jti === 'string' && UUID.test(row.jti)) {
    return { ok: true, user: { id, email, passwordHash: hash, jti: row.jti, lock } };
  }
  // Tokens with a jti that is not a UUID are refused anyway; a fresh jti still lets the user log in.
  return {
    ok: true,
    user: { id, email, passwordHash: hash, jti: newJti(), lock },
    note: 'jti is missing or not a UUID: a new one was made, so tokens issued before are refused',
  };
}

export type ImportOutcome =
  | { readonly kind: 'new' }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'conflict'; readonly reason: string };

type Existing = Pick<User, 'id' | 'email'> | undefined;

/**
 * What importing `user` does, given the users already holding its id and its e-mail. The same
 * id with the same e-mail is an earlier run of this import: left as it is, since the user may have
 * logged in (rehash) or out (new jti) since.
 */
export function classifyImport(user: ImportedUser, byId: Existing, byEmail: Existing): ImportOutcome {
  if (byId && emailKey(byId.email) === emailKey(user.email)) return { kind: 'unchanged' };
  if (byId) return { kind: 'conflict', reason: `id ${user.id} already belongs to ${byId.email}` };
  if (byEmail) return { kind: 'conflict', reason: `${user.email} already exists with id ${byEmail.id}` };
  return { kind: 'new' };
}
