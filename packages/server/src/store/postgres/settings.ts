import { encodePrevious, storedSecrets, PREVIOUS_SECRETS_KEY, PREVIOUS_USED_KEY, type SettingsStore } from '../settings.js';
import type { PostgresConnection } from './connection.js';

export function postgresSettings({ query }: PostgresConnection): SettingsStore {
  return {
    async getOrCreateJwtSecret(candidate) {
      // Every node starting at once offers its own candidate; the first insert wins and all read it.
      await query('offer-secret', `INSERT INTO settings (key, value) VALUES ('jwt_secret', $1) ON CONFLICT (key) DO NOTHING`, [candidate]);
      const { rows } = await query<{ value: string }>('read-secret', `SELECT value FROM settings WHERE key = 'jwt_secret'`);
      return rows[0]!.value;
    },
    async getJwtSecrets() {
      const { rows } = await query<{ key: string; value: string }>(
        'read-secrets',
        'SELECT key, value FROM settings WHERE key IN ($1, $2, $3)',
        ['jwt_secret', PREVIOUS_SECRETS_KEY, PREVIOUS_USED_KEY],
      );
      const get = (key: string) => rows.find((row) => row.key === key)?.value;
      return storedSecrets(get('jwt_secret'), get(PREVIOUS_SECRETS_KEY), get(PREVIOUS_USED_KEY));
    },
    // One statement, so both rows change together: the current one only if it is still the one read.
    async replaceJwtSecrets(expectedCurrent, current, previous) {
      const { rowCount } = await query(
        'replace-secrets',
        `WITH rotated AS (UPDATE settings SET value = $1 WHERE key = 'jwt_secret' AND value = $2 RETURNING 1)
         INSERT INTO settings (key, value) SELECT $3, $4 FROM rotated
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [current, expectedCurrent, PREVIOUS_SECRETS_KEY, encodePrevious(previous)],
      );
      return rowCount === 1;
    },
    async recordPreviousSecretUse(at) {
      await query(
        'record-previous-use',
        'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
        [PREVIOUS_USED_KEY, String(at.getTime())],
      );
    },
    async forgetJwtSecrets() {
      await query('forget-secrets', 'DELETE FROM settings WHERE key IN ($1, $2, $3)', [
        'jwt_secret',
        PREVIOUS_SECRETS_KEY,
        PREVIOUS_USED_KEY,
      ]);
    },
  };
}
