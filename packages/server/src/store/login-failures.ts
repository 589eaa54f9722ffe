// The login-failures part of the store: what throttles guessing, per submitted e-mail.

/** Consecutive failed logins of one submitted e-mail. */
export interface LoginFailures {
  readonly failures: number;
  /** Logins of this e-mail are refused until then; undefined when not blocked. */
  readonly blockedUntil: Date | undefined;
}

export interface LoginFailureStore {
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
}
