-- Failed logins per submitted e-mail (whether or not an account has it), shared by every node;
-- and the audit trail. The same tables as migrations/sqlite/002_login_failures_and_audit.sql.
CREATE TABLE login_failures (
  email_key        text        PRIMARY KEY,
  failures         integer     NOT NULL,
  last_failure_at  timestamptz NOT NULL,
  blocked_until    timestamptz             -- NULL: not blocked
);
CREATE INDEX login_failures_by_age ON login_failures (blocked_until NULLS FIRST, last_failure_at);

CREATE TABLE audit_events (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL,
  event       text        NOT NULL,
  user_id     bigint,
  email_key   text,
  ip          text,
  user_agent  text,
  request_id  text
);
CREATE INDEX audit_events_by_time ON audit_events (at);
CREATE INDEX audit_events_by_user ON audit_events (user_id, at);
CREATE INDEX audit_events_by_email ON audit_events (email_key, at);
