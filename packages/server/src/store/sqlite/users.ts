import { createBatchLoader } from '../batch-loader.js';
import { createGroupCommit } from '../group-commit.js';
import { DuplicateEmailError } from '../store-errors.js';
import { emailKey } from '../../auth/email.js';
import type { ImportedUser, NewUser, User, UserRepository } from '../users.js';
import { lockColumns, lockFromColumns } from '../user-lock-columns.js';
import type { SqliteConnection } from './connection.js';

interface UserRow {
  id: number;
  email: string;
  email_key: string;
  password_hash: string;
  jti: string;
  jti_issued_at: number;
  locked: number;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    jti: row.jti,
    jtiIssuedAt: new Date(row.jti_issued_at),
    lock: lockFromColumns({ locked: row.locked === 1, lockedUntil: row.locked_until === null ? null : new Date(row.locked_until) }),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function sqliteUsers({ db, now, run, write }: SqliteConnection): UserRepository {
  const statements = {
    byEmail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE email_key = ?'),
    byId: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
    // The ids as a JSON array: one prepared statement for any number of them.
    byIds: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id IN (SELECT value FROM json_each(?))'),
    list: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY id'),
    insert: db.prepare<[string, string, string, string, number, number, number], UserRow>(
      `INSERT INTO users (email, email_key, password_hash, jti, jti_issued_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    setHash: db.prepare<[string, number, number]>('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?'),
    changePassword: db.prepare<[string, string, number, number, number]>(
      'UPDATE users SET password_hash = ?, jti = ?, jti_issued_at = ?, updated_at = ? WHERE id = ?',
    ),
    setLocked: db.prepare<[number, number, number]>('UPDATE users SET locked = ?, locked_until = NULL, updated_at = ? WHERE id = ?'),
    rotateJti: db.prepare<[string, number, number, number]>('UPDATE users SET jti = ?, jti_issued_at = ?, updated_at = ? WHERE id = ?'),
    delete: db.prepare<[number]>('DELETE FROM users WHERE id = ?'),
    // AUTOINCREMENT records the largest id ever inserted (sqlite_sequence), explicit ones included,
    // so users created after an import get ids above the imported ones.
    importUser: db.prepare<[number, string, string, string, string, number, number, number | null, number, number]>(
      `INSERT INTO users (id, email, email_key, password_hash, jti, jti_issued_at, locked, locked_until, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
  };

  // The hot path (every refresh and logout), batched as in the PostgreSQL store (batch-loader.ts):
  // the ids asked for in one turn of the event loop are read by one statement. Each statement pays
  // SQLite's WAL read lock (two fcntl calls) and a call into the native module; fifty refreshes in
  // flight came to a handful of ids a turn (the figures: bench/NOTES.md).
  const userById = createBatchLoader<number, User>((ids) =>
    run(() => {
      if (ids.length > 1) return new Map(statements.byIds.all(JSON.stringify(ids)).map((row) => [row.id, toUser(row)]));
      const row = statements.byId.get(ids[0]!); // alone in its turn: the plain statement is cheaper than json_each
      return new Map(row ? [[row.id, toUser(row)]] : []);
    }),
  );

  // Logouts: the jti rotations asked for together commit as one transaction (group-commit.ts,
  // bench/NOTES.md). One transaction holds at most 100, like an audit commit.
  type Rotation = { readonly id: number; readonly jti: string };
  const rotateAll = (rotations: readonly Rotation[]) =>
    rotations.map(({ id, jti }) => {
      const at = now();
      return statements.rotateJti.run(jti, at, at, id).changes === 1;
    });
  const rotations = createGroupCommit<Rotation, boolean>((batch) => write(() => rotateAll(batch)), 100);

  return {
    findUserByEmail: (email) =>
      run(() => {
        const row = statements.byEmail.get(emailKey(email));
        return row && toUser(row);
      }),
    findUserById: userById,
    listUsers: () => run(() => statements.list.all().map(toUser)),
    createUser: (user: NewUser) =>
      write(() => {
        const at = now();
        try {
          const row = statements.insert.get(user.email.trim(), emailKey(user.email), user.passwordHash, user.jti, at, at, at);
          return toUser(row!);
        } catch (error) {
          if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DuplicateEmailError(user.email.trim());
          throw error;
        }
      }),
    updatePasswordHash: (id, hash) => write(() => statements.setHash.run(hash, now(), id).changes === 1),
    changePassword: (id, hash, jti) =>
      write(() => {
        const at = now();
        return statements.changePassword.run(hash, jti, at, at, id).changes === 1;
      }),
    setLocked: (id, locked) => write(() => statements.setLocked.run(locked ? 1 : 0, now(), id).changes === 1),
    rotateJti: (id, jti) => rotations.add({ id, jti }),
    deleteUser: (id) => write(() => statements.delete.run(id).changes === 1),
    importUser: (user: ImportedUser) =>
      write(() => {
        const at = now();
        const { id, email, passwordHash, jti } = user;
        const { locked, lockedUntil } = lockColumns(user.lock);
        const until = lockedUntil === null ? null : lockedUntil.getTime();
        return (
          statements.importUser.run(id, email.trim(), emailKey(email), passwordHash, jti, at, locked ? 1 : 0, until, at, at).changes === 1
        );
      }),
  };
}
