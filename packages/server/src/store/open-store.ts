import type { Config } from '../config.js';
import type { PostgresOptions } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import { isPostgresUrl } from './postgres-url.js';
import type { Store } from './store.js';

export { isPostgresUrl };

/** Attached mode's part of the PostgreSQL options: the Devise users table and how to read its locks. */
export function attachedTo(config: Config): PostgresOptions['devise'] {
  return config.deviseUsersTable === undefined
    ? undefined
    : { usersTable: config.deviseUsersTable, lockable: { unlockInSeconds: config.deviseUnlockInSeconds } };
}

/** Opens the store a DATABASE_URL names and applies pending migrations; `warn` takes what fails in the background. */
export async function openStore(config: Config, { warn }: { warn?: (message: string) => void } = {}): Promise<Store> {
  if (isPostgresUrl(config.databaseUrl)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(config.databaseUrl, {
      poolSize: config.dbPoolSize,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      connectTimeoutMs: config.dbConnectTimeoutMs,
      devise: attachedTo(config),
    });
  }
  return openSqliteStore(config.databaseUrl, { busyTimeoutMs: config.sqliteBusyTimeoutMs, warn });
}
