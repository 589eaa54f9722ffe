-- Users, their current JWT id, and server-wide settings (the generated JWT secret).
-- Times are integer milliseconds since the epoch (UTC).
CREATE TABLE users (
  id             INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: a deleted user's id is never reused
  email          TEXT    NOT NULL,
  email_key      TEXT    NOT NULL UNIQUE,            -- trimmed, lower-cased: the identity used for look-ups
  password_hash  TEXT    NOT NULL,
  jti            TEXT    NOT NULL,
  jti_issued_at  INTEGER NOT NULL,
  locked         INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
