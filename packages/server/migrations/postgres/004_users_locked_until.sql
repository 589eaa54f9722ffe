-- A lock that ends by itself (Devise's lockable, unlock_strategy :time): the account refuses logins
-- until locked_until, then opens. NULL: no such lock. An operator's lock (locked) has no end, so the
-- two are never set together. The same meaning as migrations/sqlite/003_users_locked_until.sql.
ALTER TABLE users
  ADD COLUMN locked_until timestamptz,
  ADD CONSTRAINT users_lock_one_kind CHECK (locked_until IS NULL OR NOT locked);
