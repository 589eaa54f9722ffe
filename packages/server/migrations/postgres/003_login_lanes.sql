-- Login throttling by lane: the same tables and meaning as migrations/sqlite/003_login_lanes.sql.
ALTER TABLE login_failures RENAME COLUMN email_key TO lane_key;
UPDATE login_failures SET lane_key = 'e:' || lane_key;

CREATE TABLE device_credentials (
  id            text        PRIMARY KEY,  -- hex SHA-256 of the credential
  user_id       bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz NOT NULL
);
CREATE INDEX device_credentials_by_user ON device_credentials (user_id, last_used_at);

CREATE TABLE known_addresses (
  user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  address        text        NOT NULL,
  last_login_at  timestamptz NOT NULL,
  PRIMARY KEY (user_id, address)
);

ALTER TABLE audit_events ADD COLUMN lane text;
