import pg from 'pg';
import { isBcryptHash } from '../../auth/devise-bcrypt.js';
import { type DeviseLockable, deviseLock } from '../../auth/devise-lockable.js';
import { emailKey } from '../../auth/email.js';
import { LOCKED } from '../../auth/user-lock.js';
import { createBatchLoader } from '../batch-loader.js';
import { DuplicateEmailError, NotWhileAttachedError } from '../store-errors.js';
import type { NewUser, User, UserRepository } from '../users.js';
import type { PostgresConnection } from './connection.js';
import { type DeviseTable, readTime, writeTime } from './devise-table.js';

// The users part beside a live Devise app (attached mode): the users are the rows of the Rails
// app's table, read in place, so a logout or a new password on either side is the other side's at
// its next read. Nothing is written to that table but `jti` (logout, revoke, a session past its
// max age), `encrypted_password` (users passwd; only ever a bcrypt hash) and, by `users unlock`,
// Devise's lockable columns; `users add` inserts a whole row. What Devise has no column for lives
// in our schema's attached_users (migration 005): when we first saw the current jti, and an
// operator's lock.

const { DatabaseError } = pg;

interface AttachedRow {
  id: string; // bigint arrives as a string; ids stay far below 2^53
  email: string;
  encrypted_password: string;
  jti: string;
  locked_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  /** attached_users: the jti jti_issued_at belongs to (null: no row yet). */
  seen_jti: string | null;
  jti_issued_at: Date | null;
  operator_locked: boolean | null;
}

/** Refuses what would leave a hash in the Rails table that Devise cannot read (an argon2id one). */
function bcryptOnly(passwordHash: string, table: DeviseTable): string {
  if (!isBcryptHash(passwordHash)) {
    throw new Error(`refusing to write a password hash other than bcrypt to ${table.name}: Devise could not read it`);
  }
  return passwordHash;
}

export function postgresDeviseUsers({ query, at }: PostgresConnection, table: DeviseTable, lockable: DeviseLockable): UserRepository {
  const select = `SELECT r.id, r.email, r.encrypted_password, r.jti,
      ${readTime(table, 'locked_at', 'r')} AS locked_at, ${readTime(table, 'created_at', 'r')} AS created_at,
      ${readTime(table, 'updated_at', 'r')} AS updated_at,
      s.jti AS seen_jti, s.jti_issued_at, s.locked AS operator_locked
    FROM ${table.sql} AS r LEFT JOIN attached_users AS s ON s.user_id = r.id`;
  // Always one statement per use, never a cache: a jti spun by Rails is refused at our next read.

  function toUser(row: AttachedRow, now: Date): User {
    return {
      id: Number(row.id),
      email: row.email,
      passwordHash: row.encrypted_password,
      jti: row.jti,
      // A jti we have not seen yet (a new user, or one Rails spun at a logout) starts its session now.
      jtiIssuedAt: row.seen_jti === row.jti && row.jti_issued_at !== null ? row.jti_issued_at : now,
      lock: row.operator_locked ? LOCKED : deviseLock(row.locked_at ?? undefined, lockable),
      createdAt: row.created_at ?? now,
      updatedAt: row.updated_at ?? now,
    };
  }

  /**
   * Records when each jti not seen before was first seen: the start of the session the session max
   * age bounds. Only a changed jti is written, so a refresh of a known session writes nothing.
   */
  async function read(rows: readonly AttachedRow[]): Promise<User[]> {
    const now = at();
    const unseen = rows.filter((row) => row.seen_jti !== row.jti);
    if (unseen.length > 0) {
      await query(
        'attached-seen-jtis',
        `INSERT INTO attached_users (user_id, jti, jti_issued_at)
         SELECT id, jti, $3::timestamptz FROM unnest($1::bigint[], $2::text[]) AS seen (id, jti)
         ON CONFLICT (user_id) DO UPDATE SET jti = EXCLUDED.jti, jti_issued_at = EXCLUDED.jti_issued_at
         WHERE attached_users.jti IS DISTINCT FROM EXCLUDED.jti`,
        [unseen.map((row) => row.id), unseen.map((row) => row.jti), now],
      );
    }
    return rows.map((row) => toUser(row, now));
  }

  const userById = createBatchLoader<number, User>(async (ids) => {
    const { rows } = await query<AttachedRow>('attached-users-by-ids', `${select} WHERE r.id = ANY($1::bigint[])`, [ids]);
    return new Map((await read(rows)).map((user) => [user.id, user]));
  });

  /** Replaces the jti in the Rails row, and records it as seen now, in one statement. */
  const spin = (name: string, set: string, values: unknown[], id: number, jti: string) =>
    query(
      name,
      `WITH r AS (UPDATE ${table.sql} SET ${set} jti = $1::text WHERE id = $2 RETURNING id)
       INSERT INTO attached_users (user_id, jti, jti_issued_at) SELECT id, $1::text, $3::timestamptz FROM r
       ON CONFLICT (user_id) DO UPDATE SET jti = EXCLUDED.jti, jti_issued_at = EXCLUDED.jti_issued_at`,
      [jti, id, at(), ...values],
    ).then((result) => result.rowCount === 1);

  return {
    async findUserByEmail(email) {
      // Devise keeps e-mails stripped and lower-cased (its default case_insensitive_keys and
      // strip_whitespace_keys), so the key finds the row through the table's unique index.
      const { rows } = await query<AttachedRow>('attached-user-by-email', `${select} WHERE r.email = $1`, [emailKey(email)]);
      return (await read(rows))[0];
    },
    // The hot path (every refresh and logout): batched, see batch-loader.ts.
    findUserById: userById,
    async listUsers() {
      const now = at();
      return (await query<AttachedRow>('attached-list-users', `${select} ORDER BY r.id`)).rows.map((row) => toUser(row, now));
    },
    async createUser(user: NewUser) {
      if (table.addRefusal !== undefined) throw new NotWhileAttachedError(table.addRefusal);
      const columns = ['email', 'encrypted_password', 'jti'];
      const values = ['$1', '$2', '$3::text'];
      for (const stamp of ['created_at', 'updated_at'].filter((c) => table.times.has(c))) {
        columns.push(stamp);
        values.push(writeTime(table, stamp, '$4'));
      }
      try {
        const { rows } = await query<{ id: string }>(
          'attached-create-user',
          `WITH r AS (INSERT INTO ${table.sql} (${columns.join(', ')}) VALUES (${values.join(', ')}) RETURNING id),
             s AS (INSERT INTO attached_users (user_id, jti, jti_issued_at) SELECT id, $3::text, $4::timestamptz FROM r)
           SELECT id FROM r`,
          [emailKey(user.email), bcryptOnly(user.passwordHash, table), user.jti, at()],
        );
        const created = await userById(Number(rows[0]!.id));
        if (!created) throw new Error(`the user added to ${table.name} could not be read back`);
        return created;
      } catch (error) {
        // 23505: a unique index refused it; with a fresh UUID jti, the e-mail's.
        if (error instanceof DatabaseError && error.code === '23505') throw new DuplicateEmailError(user.email.trim());
        throw error;
      }
    },
    updatePasswordHash: async (id, hash) =>
      (await query('attached-set-hash', `UPDATE ${table.sql} SET encrypted_password = $1 WHERE id = $2`, [bcryptOnly(hash, table), id]))
        .rowCount === 1,
    changePassword: async (id, hash, jti) =>
      spin('attached-change-password', 'encrypted_password = $4,', [bcryptOnly(hash, table)], id, jti),
    rotateJti: (id, jti) => spin('attached-rotate-jti', '', [], id, jti),
    async setLocked(id, locked) {
      // An operator's lock is ours: Devise's locked_at means a lock that ends (unlock_in). Unlocking
      // also clears Devise's lock, as its unlock_access! does, so the user is open on both sides.
      const lockable = [
        table.lockedAt && 'locked_at = NULL',
        table.failedAttempts && 'failed_attempts = 0',
        table.unlockToken && 'unlock_token = NULL',
      ].filter(Boolean);
      const source =
        !locked && lockable.length > 0
          ? `UPDATE ${table.sql} SET ${lockable.join(', ')} WHERE id = $1 RETURNING id, jti`
          : `SELECT id, jti FROM ${table.sql} WHERE id = $1`;
      const result = await query(
        locked ? 'attached-lock' : 'attached-unlock',
        `WITH r AS (${source})
         INSERT INTO attached_users (user_id, jti, jti_issued_at, locked) SELECT id, jti, $2::timestamptz, $3::boolean FROM r
         ON CONFLICT (user_id) DO UPDATE SET locked = EXCLUDED.locked`,
        [id, at(), locked],
      );
      return result.rowCount === 1;
    },
    async deleteUser() {
      throw new NotWhileAttachedError(
        `users delete is refused while attached to ${table.name}: the Rails app owns its users; delete the user there (its tokens are refused here from then on)`,
      );
    },
    async importUser() {
      throw new NotWhileAttachedError(
        `import is refused while attached to ${table.name}: its users are read in place already; to leave Devise, see devise detach (docs/devise.md)`,
      );
    },
  };
}
