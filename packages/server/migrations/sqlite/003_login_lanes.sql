-- Login throttling by lane (SECURITY.md, "Login throttling"): every lane has its own row in
-- login_failures, keyed by its lane key (auth/login-lane.ts): 'e:' + the submitted e-mail's key for
-- clients the account does not know, 'a:<user id>:<address>' for an address it logged in from,
-- 'd:<user id>:<credential id>' for a device credential it issued. `failures` counts the password
-- checks charged to the lane (each is charged before it runs); times are milliseconds since the epoch.
ALTER TABLE login_failures RENAME COLUMN email_key TO lane_key;
UPDATE login_failures SET lane_key = 'e:' || lane_key;

-- Device credentials handed out at successful logins. Only the SHA-256 of a credential is kept.
CREATE TABLE device_credentials (
  id            TEXT    PRIMARY KEY,  -- hex SHA-256 of the credential
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER NOT NULL
);
CREATE INDEX device_credentials_by_user ON device_credentials (user_id, last_used_at);

-- Addresses (IPv4, or an IPv6 /64 prefix) each account logged in from successfully.
CREATE TABLE known_addresses (
  user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  address        TEXT    NOT NULL,
  last_login_at  INTEGER NOT NULL,
  PRIMARY KEY (user_id, address)
);

-- Which lane a login event used: device, known_address or unknown (NULL for other events).
ALTER TABLE audit_events ADD COLUMN lane TEXT;
