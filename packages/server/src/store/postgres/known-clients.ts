import type { KnownClientStore } from '../known-clients.js';
import type { PostgresConnection } from './connection.js';

// Each operation is one statement. In a statement that inserts and trims, the trim does not see
// the row being inserted (one snapshot), so it keeps one fewer of the others.

export function postgresKnownClients({ query, at }: PostgresConnection): KnownClientStore {
  return {
    async findDeviceCredential(id) {
      const { rows } = await query<{ user_id: string; last_used_at: Date }>(
        'find-device',
        'SELECT user_id, last_used_at FROM device_credentials WHERE id = $1',
        [id],
      );
      return rows[0] && { userId: Number(rows[0].user_id), lastUsedAt: rows[0].last_used_at };
    },
    async addDeviceCredential(id, userId, keepAtMost) {
      await query(
        'add-device',
        `WITH added AS (
           INSERT INTO device_credentials (id, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3) ON CONFLICT (id) DO NOTHING
         )
         DELETE FROM device_credentials WHERE user_id = $2 AND id NOT IN (
           SELECT id FROM device_credentials WHERE user_id = $2 ORDER BY last_used_at DESC LIMIT GREATEST(0, $4 - 1))`,
        [id, userId, at(), keepAtMost],
      );
    },
    async touchDeviceCredential(id) {
      await query('touch-device', 'UPDATE device_credentials SET last_used_at = $1 WHERE id = $2', [at(), id]);
    },
    async isKnownAddress(userId, address, since) {
      const { rows } = await query(
        'is-known-address',
        'SELECT 1 FROM known_addresses WHERE user_id = $1 AND address = $2 AND last_login_at >= $3',
        [userId, address, since],
      );
      return rows.length > 0;
    },
    async rememberAddress(userId, address, keepAtMost) {
      await query(
        'remember-address',
        `WITH remembered AS (
           INSERT INTO known_addresses (user_id, address, last_login_at) VALUES ($1, $2, $3)
           ON CONFLICT (user_id, address) DO UPDATE SET last_login_at = EXCLUDED.last_login_at
         )
         DELETE FROM known_addresses WHERE user_id = $1 AND address <> $2 AND address NOT IN (
           SELECT address FROM known_addresses WHERE user_id = $1 AND address <> $2 ORDER BY last_login_at DESC LIMIT GREATEST(0, $4 - 1))`,
        [userId, address, at(), keepAtMost],
      );
    },
    async listAccountClients(userId) {
      const { rows } = await query<{ kind: 'address' | 'device'; value: string }>(
        'account-clients',
        `SELECT 'address' AS kind, address AS value FROM known_addresses WHERE user_id = $1
         UNION ALL SELECT 'device', id FROM device_credentials WHERE user_id = $1 ORDER BY 1, 2`,
        [userId],
      );
      return {
        addresses: rows.filter((row) => row.kind === 'address').map((row) => row.value),
        deviceIds: rows.filter((row) => row.kind === 'device').map((row) => row.value),
      };
    },
    async forgetAccountClients(userId) {
      await query(
        'forget-account-clients',
        `WITH addresses AS (DELETE FROM known_addresses WHERE user_id = $1)
         DELETE FROM device_credentials WHERE user_id = $1`,
        [userId],
      );
    },
    async pruneKnownClients(addressesBefore, devicesBefore) {
      const { rows } = await query<{ removed: string }>(
        'prune-known-clients',
        `WITH addresses AS (DELETE FROM known_addresses WHERE last_login_at < $1 RETURNING 1),
              devices AS (DELETE FROM device_credentials WHERE last_used_at < $2 RETURNING 1)
         SELECT (SELECT count(*) FROM addresses) + (SELECT count(*) FROM devices) AS removed`,
        [addressesBefore, devicesBefore],
      );
      return Number(rows[0]!.removed);
    },
  };
}
