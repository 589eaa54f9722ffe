import type { LoginLaneKind } from '../auth/login-lane.js';

// The audit part of the store: the security events behind `pacerpro-auth audit`.

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
  'secret_rotated',
  'secrets_retired',
  'secrets_forgotten',
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
  /** The lane a login event went through (auth/login-lane.ts). */
  readonly lane?: LoginLaneKind | undefined;
}

export interface AuditQuery {
  /** Events of this user id, or naming this e-mail key. */
  readonly userId?: number | undefined;
  readonly email?: string | undefined;
  readonly since?: Date | undefined;
  /** The newest `limit` events of the selection are returned, oldest first. */
  readonly limit: number;
}

export interface AuditStore {
  appendAuditEvents(events: readonly AuditEvent[]): Promise<void>;
  listAuditEvents(query: AuditQuery): Promise<AuditEvent[]>;
  pruneAuditEvents(before: Date): Promise<number>;
}
