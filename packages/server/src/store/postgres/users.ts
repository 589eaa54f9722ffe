import pg from 'pg';
import { createBatchLoader } from '../batch-loader.js';
import { DuplicateEmailError } from '../store-errors.js';
import { emailKey } from '../../auth/email.js';
import type { ImportedUser, NewUser, User, UserRepository } from '../users.js';
import { lockColumns, lockFromColumns } from '../user-lock-columns.js';
import { updated, type PostgresConnection } from './connection.js';

interface UserRow {
  id: string; // bigint arrives as a string; ids stay far below 2^53
  email: string;
  password_hash: string;
  jti: string;
  jti_issued_at: Date;
  locked: boolean;
  locked_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

const { DatabaseError } = pg;

function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    email: row.email,
    passwordHash: row.password_hash,
    jti: row.jti,
    jtiIssuedAt: row.jti_issued_at,
    lock: lockFromColumns({ locked: row.locked, lockedUntil: row.locked_until }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function postgresUsers({ query, at }: PostgresConnection): UserRepository {
  const userById = createBatchLoader<number, User>(async (ids) => {
    const { rows } = await query<UserRow>('users-by-ids', 'SELECT * FROM users WHERE id = ANY($1::bigint[])', [ids]);
    return new Map(rows.map((row) => [Number(row.id), toUser(row)]));
  });

  return {
    async findUserByEmail(email) {
      const { rows } = await query<UserRow>('user-by-email', 'SELECT * FROM users WHERE email_key = $1', [emailKey(email)]);
      return rows[0] && toUser(rows[0]);
    },
    // The hot path (every refresh and logout): batched, see batch-loader.ts.
    findUserById: userById,
    async listUsers() {
      return (await query<UserRow>('list-users', 'SELECT * FROM users ORDER BY id')).rows.map(toUser);
    },
    async createUser(user: NewUser) {
      const time = at();
      try {
        const { rows } = await query<UserRow>(
          'create-user',
          `INSERT INTO users (email, email_key, password_hash, jti, jti_issued_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING *`,
          [user.email.trim(), emailKey(user.email), user.passwordHash, user.jti, time],
        );
        return toUser(rows[0]!);
      } catch (error) {
        if (error instanceof DatabaseError && error.constraint === 'users_email_key_unique') {
          throw new DuplicateEmailError(user.email.trim());
        }
        throw error;
      }
    },
    updatePasswordHash: async (id, hash) =>
      updated(await query('set-hash', 'UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3', [hash, at(), id])),
    changePassword: async (id, hash, jti) =>
      updated(
        await query('change-password', 'UPDATE users SET password_hash = $1, jti = $2, jti_issued_at = $3, updated_at = $3 WHERE id = $4', [
          hash,
          jti,
          at(),
          id,
        ]),
      ),
    setLocked: async (id, locked) =>
      updated(
        await query('set-locked', 'UPDATE users SET locked = $1, locked_until = NULL, updated_at = $2 WHERE id = $3', [locked, at(), id]),
      ),
    rotateJti: async (id, jti) =>
      updated(await query('rotate-jti', 'UPDATE users SET jti = $1, jti_issued_at = $2, updated_at = $2 WHERE id = $3', [jti, at(), id])),
    // The known clients go in the same statement: their tables have no foreign key to users, which
    // while attached would stand between Rails and its own deletes (migration 005).
    deleteUser: async (id) =>
      updated(
        await query(
          'delete-user',
          `WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING id),
             devices AS (DELETE FROM device_credentials WHERE user_id IN (SELECT id FROM gone)),
             addresses AS (DELETE FROM known_addresses WHERE user_id IN (SELECT id FROM gone))
           SELECT id FROM gone`,
          [id],
        ),
      ),
    async importUser(user: ImportedUser) {
      // The sequence moves first, so a user created on another node meanwhile never takes this id.
      // It only ever moves up: ids of deleted users stay retired.
      await query(
        'bump-user-id',
        `SELECT setval(s.seq, $1) FROM (SELECT pg_get_serial_sequence('users', 'id')::regclass AS seq) s
         WHERE $1 > COALESCE(pg_sequence_last_value(s.seq), 0)`,
        [user.id],
      );
      const time = at();
      const { locked, lockedUntil } = lockColumns(user.lock);
      const result = await query(
        'import-user',
        `INSERT INTO users (id, email, email_key, password_hash, jti, jti_issued_at, locked, locked_until, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $6, $6) ON CONFLICT DO NOTHING`,
        [user.id, user.email.trim(), emailKey(user.email), user.passwordHash, user.jti, time, locked, lockedUntil],
      );
      return updated(result);
    },
  };
}
