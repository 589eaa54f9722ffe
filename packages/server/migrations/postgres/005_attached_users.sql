-- Running beside a live Devise app (PACERPRO_DEVISE_USERS_TABLE): the users live in the Rails
-- app's table, which we never extend. What we keep per user that Devise has no column for lives
-- here, in our own schema, keyed by the Rails user's id: when we first saw the user's current jti
-- (the session's start, for PACERPRO_SESSION_MAX_AGE) and an operator's lock (`users lock`).
-- No foreign key: Rails deletes users without asking us; a row of a deleted user is inert, as ids
-- come from a sequence and are never handed out again.
CREATE TABLE attached_users (
  user_id        bigint      PRIMARY KEY,
  jti            text        NOT NULL,  -- the jti jti_issued_at belongs to; another in Rails' row means a new session
  jti_issued_at  timestamptz NOT NULL,
  locked         boolean     NOT NULL DEFAULT false
);

-- The known clients' foreign keys to users (migration 003) go for the same reason: while attached,
-- their users are rows of the Rails table, which our table `users` does not hold and must not stop
-- Rails from deleting. Deleting a user of our own table deletes its known clients in the same
-- statement instead (store/postgres/users.ts).
ALTER TABLE device_credentials DROP CONSTRAINT device_credentials_user_id_fkey;
ALTER TABLE known_addresses DROP CONSTRAINT known_addresses_user_id_fkey;
