import type { Config } from '../config.js';
import { openSqliteStore } from './sqlite.js';
import { isPostgresUrl } from './postgres-url.js';
import type { Store } from './store.js';

export { isPostgresUrl };

/** Opens the store a DATABASE_URL names and applies pending migrations. */
export async function openStore(config: Config): Promise<Store> {
  if (isPostgresUrl(config.databaseUrl)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(config.databaseUrl, {
      poolSize: config.dbPoolSize,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      connectTimeoutMs: config.dbConnectTimeoutMs,
      devise: config.deviseUsersTable
        ? { usersTable: config.deviseUsersTable, lockable: { unlockInSeconds: config.deviseUnlockInSeconds } }
        : undefined,
    });
  }
  return openSqliteStore(config.databaseUrl, { busyTimeoutMs: config.sqliteBusyTimeoutMs });
}
