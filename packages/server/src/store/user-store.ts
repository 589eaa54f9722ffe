// The one door to persistent data. Sessions, the CLI and the HTTP layer talk to this interface only,
// so the embedded SQLite store and the PostgreSQL store are interchangeable and share one test suite.

export interface User {
  readonly id: number;
  /** As the user typed it, trimmed. Look-ups compare emailKey(). */
  readonly email: string;
  readonly passwordHash: string;
  /** The current JWT id: only tokens carrying it are accepted. Logout replaces it. */
  readonly jti: string;
  /** When the current jti was created, so a session's absolute age can be bounded. */
  readonly jtiIssuedAt: Date;
  readonly locked: boolean;
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
  readonly locked: boolean;
}

/** Consecutive failed logins of one submitted e-mail. */
export interface LoginFailures {
  readonly failures: number;
  /** Logins of this e-mail are refused until then; undefined when not blocked. */
  readonly blockedUntil: Date | undefined;
}

export const AUDIT_EVENT_TYPES = [
  'login_succeeded',
  'login_failed',
  'login_throttled',
  'session_refreshed',
  'logged_out',
  'user_added',
  'user_password_changed',
  'user_locked',
  'user_unlocked',
  'user_revoked',
  'user_deleted',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Who did what, when, from where. Never a password, a token or a hash. */
export interface AuditEvent {
  readonly at: Date;
  readonly event: AuditEventType;
  readonly userId?: number | undefined;
  /** The submitted e-mail, as emailKey(): what a failed login tried. */
  readonly email?: string | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly requestId?: string | undefined;
}

export interface AuditQuery {
  /** Events of this user id, or naming this e-mail key. */
  readonly userId?: number | undefined;
  readonly email?: string | undefined;
  readonly since?: Date | undefined;
  /** The newest `limit` events of the selection are returned, oldest first. */
  readonly limit: number;
}

export interface UserStore {
  readonly dialect: 'sqlite' | 'postgres';
  findUserByEmail(email: string): Promise<User | undefined>;
  findUserById(id: number): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** Throws DuplicateEmailError when the e-mail (compared by emailKey) is taken. */
  createUser(user: NewUser): Promise<User>;
  /** Replaces the hash and leaves the jti alone (used to upgrade a hash at login). */
  updatePasswordHash(id: number, passwordHash: string): Promise<boolean>;
  /** Replaces the hash and the jti in one update, so every earlier token dies with the old password. */
  changePassword(id: number, passwordHash: string, newJti: string): Promise<boolean>;
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
  /**
   * Returns the JWT secret kept in the database, storing `candidate` first if there is none yet.
   * Atomic: concurrent first starts on one database all end up with the same secret.
   */
  getOrCreateJwtSecret(candidate: string): Promise<string>;
  getLoginFailures(emailKey: string): Promise<LoginFailures | undefined>;
  /** Counts one more failure for the e-mail key, atomically across nodes; returns the new count. */
  recordLoginFailure(emailKey: string): Promise<number>;
  /** Refuses logins of the e-mail key until `until` (never shortens a block already longer). */
  blockLogins(emailKey: string, until: Date): Promise<void>;
  clearLoginFailures(emailKey: string): Promise<void>;
  /**
   * Forgets failures last seen before `before` (unless still blocked), then the oldest rows beyond
   * `keepAtMost`, unblocked ones first: junk e-mails cannot grow the table without bound.
   */
  pruneLoginFailures(before: Date, keepAtMost: number): Promise<number>;
  appendAuditEvents(events: readonly AuditEvent[]): Promise<void>;
  listAuditEvents(query: AuditQuery): Promise<AuditEvent[]>;
  pruneAuditEvents(before: Date): Promise<number>;
  /** Cheap query proving the database answers and the schema is current. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class DuplicateEmailError extends Error {
  override readonly name = 'DuplicateEmailError';
  constructor(email: string) {
    super(`a user with the e-mail ${email} already exists`);
  }
}

/** The database could not be reached or is busy; the caller should retry later. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
