-- A lock that ends by itself (Devise's lockable, unlock_strategy :time): the account refuses logins
-- until locked_until (milliseconds since the epoch, UTC), then opens. NULL: no such lock. An
-- operator's lock (locked = 1) has no end, so the two are never set together.
ALTER TABLE users ADD COLUMN locked_until INTEGER CHECK (locked_until IS NULL OR locked = 0);
