import type { SettingsStore } from '../settings.js';
import type { SqliteConnection } from './connection.js';

export function sqliteSettings({ db, write }: SqliteConnection): SettingsStore {
  const statements = {
    insertSetting: db.prepare<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
  };

  return {
    getOrCreateJwtSecret: (candidate) =>
      write(() => {
        statements.insertSetting.run('jwt_secret', candidate);
        return statements.getSetting.get('jwt_secret')!.value;
      }),
  };
}
