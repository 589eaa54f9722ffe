import { encodePrevious, storedSecrets, PREVIOUS_SECRETS_KEY, PREVIOUS_USED_KEY, type SettingsStore } from '../settings.js';
import type { SqliteConnection } from './connection.js';

export function sqliteSettings({ db, run, write }: SqliteConnection): SettingsStore {
  const statements = {
    insertSetting: db.prepare<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    putSetting: db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    deleteSecrets: db.prepare<[string, string, string]>('DELETE FROM settings WHERE key IN (?, ?, ?)'),
  };
  const get = (key: string) => statements.getSetting.get(key)?.value;

  return {
    getOrCreateJwtSecret: (candidate) =>
      write(() => {
        statements.insertSetting.run('jwt_secret', candidate);
        return get('jwt_secret')!;
      }),
    getJwtSecrets: () => run(() => storedSecrets(get('jwt_secret'), get(PREVIOUS_SECRETS_KEY), get(PREVIOUS_USED_KEY))),
    // Both rows in one BEGIN IMMEDIATE transaction.
    replaceJwtSecrets: (expectedCurrent, current, previous) =>
      write(() => {
        if (get('jwt_secret') !== expectedCurrent) return false;
        statements.putSetting.run('jwt_secret', current);
        statements.putSetting.run(PREVIOUS_SECRETS_KEY, encodePrevious(previous));
        return true;
      }),
    recordPreviousSecretUse: (at) => write(() => void statements.putSetting.run(PREVIOUS_USED_KEY, String(at.getTime()))),
    forgetJwtSecrets: () => write(() => void statements.deleteSecrets.run('jwt_secret', PREVIOUS_SECRETS_KEY, PREVIOUS_USED_KEY)),
  };
}
