import type { UserStore } from './user-store.js';
import { StoreUnavailableError } from './user-store.js';

// Placeholder until the PostgreSQL store lands (issue 4).
export async function openPostgresStore(_databaseUrl: string): Promise<UserStore> {
  throw new StoreUnavailableError('PostgreSQL support is not in this build yet; use a SQLite path for DATABASE_URL');
}
