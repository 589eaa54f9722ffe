-- Where an answered request's audit rows are committed before it answers (one commit per turn of the
-- event loop). In audit_events each row also lands on a page of the per-user and per-e-mail indexes,
-- so a commit of a few rows wrote a few 4 KiB pages, and the checkpoints copied them again, on the
-- event loop. This table has no index but its key: a turn's rows share one page. A thread of the
-- store moves its rows into audit_events in larger transactions (src/store/sqlite/audit-settling.ts);
-- until then they are as durable here, and the audit_trail view (and the store) reads both.
CREATE TABLE audit_events_incoming (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  event       TEXT    NOT NULL,
  user_id     INTEGER,
  email_key   TEXT,
  ip          TEXT,
  user_agent  TEXT,
  request_id  TEXT,
  lane        TEXT
);

CREATE VIEW audit_trail AS
  SELECT at, event, user_id, email_key, ip, user_agent, request_id, lane FROM audit_events
  UNION ALL
  SELECT at, event, user_id, email_key, ip, user_agent, request_id, lane FROM audit_events_incoming;
