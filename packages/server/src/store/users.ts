import type { UserLock } from '../auth/user-lock.js';

// The users part of the store: accounts, their password hashes and their current jti.

export interface User {
  readonly id: number;
  /** As the user typed it, trimmed. Look-ups compare emailKey(). */
  readonly email: string;
  readonly passwordHash: string;
  /** The current JWT id: only tokens carrying it are accepted. Logout replaces it. */
  readonly jti: string;
  /** When the current jti was created, so a session's absolute age can be bounded. */
  readonly jtiIssuedAt: Date;
  /** Whether it may log in: open, locked by an operator, or locked until a moment (Devise's lockable). */
  readonly lock: UserLock;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewUser {
  readonly email: string;
  readonly passwordHash: string;
  readonly jti: string;
}

/** A user brought over from another system (Devise) with its own id and jti, so its tokens stay valid. */
export interface ImportedUser {
  readonly id: number;
  readonly email: string;
  readonly passwordHash: string;
  readonly jti: string;
  readonly lock: UserLock;
}

export interface UserRepository {
  findUserByEmail(email: string): Promise<User | undefined>;
  findUserById(id: number): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** Throws DuplicateEmailError when the e-mail (compared by emailKey) is taken. */
  createUser(user: NewUser): Promise<User>;
  /** Replaces the hash and leaves the jti alone (used to upgrade a hash at login). */
  updatePasswordHash(id: number, passwordHash: string): Promise<boolean>;
  /** Replaces the hash and the jti in one update, so every earlier token dies with the old password. */
  changePassword(id: number, passwordHash: string, newJti: string): Promise<boolean>;
  /** An operator's lock (no end) or unlock; either replaces a lock that ends. */
  setLocked(id: number, locked: boolean): Promise<boolean>;
  /** Replaces the user's jti in one atomic update: every token issued before is refused from now on. */
  rotateJti(id: number, newJti: string): Promise<boolean>;
  deleteUser(id: number): Promise<boolean>;
  /**
   * Inserts a user keeping its id and jti, and moves the id sequence above that id so createUser
   * never hands it out. Returns false, changing nothing, when the id or the e-mail is already taken:
   * an existing row is never overwritten, so a second import cannot undo a logout or a rehash.
   */
  importUser(user: ImportedUser): Promise<boolean>;
}
