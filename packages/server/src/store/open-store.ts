import { openSqliteStore } from './sqlite.js';
import type { UserStore } from './user-store.js';

export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//i.test(databaseUrl);
}

/** Opens the store a DATABASE_URL names and applies pending migrations. */
export async function openStore(databaseUrl: string): Promise<UserStore> {
  if (isPostgresUrl(databaseUrl)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(databaseUrl);
  }
  return openSqliteStore(databaseUrl);
}
