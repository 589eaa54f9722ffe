import type { Config } from '../config.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//i.test(databaseUrl);
}

/** Opens the store a DATABASE_URL names and applies pending migrations. */
export async function openStore(config: Config): Promise<Store> {
  if (isPostgresUrl(config.databaseUrl)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(config.databaseUrl, {
      poolSize: config.dbPoolSize,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      connectTimeoutMs: config.dbConnectTimeoutMs,
    });
  }
  return openSqliteStore(config.databaseUrl, { busyTimeoutMs: config.sqliteBusyTimeoutMs });
}
