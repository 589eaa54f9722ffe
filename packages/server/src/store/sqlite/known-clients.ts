import type { KnownClientStore } from '../known-clients.js';
import type { SqliteConnection } from './connection.js';

export function sqliteKnownClients({ db, now, run, write }: SqliteConnection): KnownClientStore {
  const statements = {
    findDevice: db.prepare<[string], { user_id: number; last_used_at: number }>(
      'SELECT user_id, last_used_at FROM device_credentials WHERE id = ?',
    ),
    addDevice: db.prepare<[string, number, number, number]>(
      'INSERT INTO device_credentials (id, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    ),
    keepDevices: db.prepare<[number, number, number]>(
      `DELETE FROM device_credentials WHERE user_id = ? AND id NOT IN (
         SELECT id FROM device_credentials WHERE user_id = ? ORDER BY last_used_at DESC LIMIT ?)`,
    ),
    touchDevice: db.prepare<[number, string]>('UPDATE device_credentials SET last_used_at = ? WHERE id = ?'),
    isKnown: db.prepare<[number, string, number], { found: number }>(
      'SELECT 1 AS found FROM known_addresses WHERE user_id = ? AND address = ? AND last_login_at >= ?',
    ),
    remember: db.prepare<[number, string, number]>(
      `INSERT INTO known_addresses (user_id, address, last_login_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id, address) DO UPDATE SET last_login_at = excluded.last_login_at`,
    ),
    keepAddresses: db.prepare<[number, number, number]>(
      `DELETE FROM known_addresses WHERE user_id = ? AND address NOT IN (
         SELECT address FROM known_addresses WHERE user_id = ? ORDER BY last_login_at DESC LIMIT ?)`,
    ),
    addresses: db.prepare<[number], { address: string }>('SELECT address FROM known_addresses WHERE user_id = ? ORDER BY address'),
    devices: db.prepare<[number], { id: string }>('SELECT id FROM device_credentials WHERE user_id = ? ORDER BY id'),
    forgetAddresses: db.prepare<[number]>('DELETE FROM known_addresses WHERE user_id = ?'),
    forgetDevices: db.prepare<[number]>('DELETE FROM device_credentials WHERE user_id = ?'),
    pruneAddresses: db.prepare<[number]>('DELETE FROM known_addresses WHERE last_login_at < ?'),
    pruneDevices: db.prepare<[number]>('DELETE FROM device_credentials WHERE last_used_at < ?'),
  };

  return {
    findDeviceCredential: (id) =>
      run(() => {
        const row = statements.findDevice.get(id);
        return row && { userId: row.user_id, lastUsedAt: new Date(row.last_used_at) };
      }),
    addDeviceCredential: (id, userId, keepAtMost) =>
      write(() => {
        const at = now();
        statements.addDevice.run(id, userId, at, at);
        statements.keepDevices.run(userId, userId, keepAtMost);
      }),
    touchDeviceCredential: (id) => write(() => void statements.touchDevice.run(now(), id)),
    isKnownAddress: (userId, address, since) => run(() => statements.isKnown.get(userId, address, since.getTime()) !== undefined),
    rememberAddress: (userId, address, keepAtMost) =>
      write(() => {
        statements.remember.run(userId, address, now());
        statements.keepAddresses.run(userId, userId, keepAtMost);
      }),
    listAccountClients: (userId) =>
      run(() => ({
        addresses: statements.addresses.all(userId).map((row) => row.address),
        deviceIds: statements.devices.all(userId).map((row) => row.id),
      })),
    forgetAccountClients: (userId) =>
      write(() => {
        statements.forgetAddresses.run(userId);
        statements.forgetDevices.run(userId);
      }),
    pruneKnownClients: (addressesBefore, devicesBefore) =>
      write(
        () =>
          statements.pruneAddresses.run(addressesBefore.getTime()).changes + statements.pruneDevices.run(devicesBefore.getTime()).changes,
      ),
  };
}
