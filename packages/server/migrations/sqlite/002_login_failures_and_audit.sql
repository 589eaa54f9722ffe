-- Failed logins per submitted e-mail (whether or not an account has it), shared by every process
-- on this database; and the audit trail. Times are integer milliseconds since the epoch (UTC).
CREATE TABLE login_failures (
  email_key        TEXT    PRIMARY KEY,
  failures         INTEGER NOT NULL,
  last_failure_at  INTEGER NOT NULL,
  blocked_until    INTEGER NOT NULL DEFAULT 0   -- 0: not blocked
);
CREATE INDEX login_failures_by_age ON login_failures (blocked_until, last_failure_at);

CREATE TABLE audit_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  event       TEXT    NOT NULL,
  user_id     INTEGER,
  email_key   TEXT,
  ip          TEXT,
  user_agent  TEXT,
  request_id  TEXT
);
CREATE INDEX audit_events_by_time ON audit_events (at);
CREATE INDEX audit_events_by_user ON audit_events (user_id, at);
CREATE INDEX audit_events_by_email ON audit_events (email_key, at);
