import type { SettingsStore } from '../settings.js';
import type { PostgresConnection } from './connection.js';

export function postgresSettings({ query }: PostgresConnection): SettingsStore {
  return {
    async getOrCreateJwtSecret(candidate) {
      // Every node starting at once offers its own candidate; the first insert wins and all read it.
      await query('offer-secret', `INSERT INTO settings (key, value) VALUES ('jwt_secret', $1) ON CONFLICT (key) DO NOTHING`, [candidate]);
      const { rows } = await query<{ value: string }>('read-secret', `SELECT value FROM settings WHERE key = 'jwt_secret'`);
      return rows[0]!.value;
    },
  };
}
