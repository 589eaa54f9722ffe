import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { isPostgresUrl, openStore } from '../store/open-store.js';
import { sqlitePath } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { CliError } from './cli-error.js';

// The users, audit and import commands say on stderr which database they used: run from another
// directory, a relative DATABASE_URL names another file, and the server then answers 401 for the
// user just added. Only commands that create data may create a database; a read at a mistyped path
// must not leave an empty one behind that looks like a lost user base.

/** Whether the command may create the database when it does not exist yet. */
export type Creates = 'creates-data' | 'reads-only';

/** The database as the operator should read it: an absolute SQLite path, or the URL without its password. */
export function databaseLabel(databaseUrl: string): string {
  if (!isPostgresUrl(databaseUrl)) {
    const path = sqlitePath(databaseUrl);
    return path === ':memory:' ? 'SQLite in memory' : `SQLite ${resolve(path)}`;
  }
  try {
    const url = new URL(databaseUrl);
    url.password = '';
    return `PostgreSQL ${url.toString()}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL)';
  }
}

function isNewSqliteFile(databaseUrl: string): boolean {
  if (isPostgresUrl(databaseUrl)) return false;
  const path = sqlitePath(databaseUrl);
  return path !== ':memory:' && !existsSync(path);
}

export async function openCliStore(config: Config, creates: Creates, note: (line: string) => void): Promise<Store> {
  const label = databaseLabel(config.databaseUrl);
  const isNew = isNewSqliteFile(config.databaseUrl);
  if (isNew && creates === 'reads-only') {
    throw new CliError(
      `no database at ${label} (DATABASE_URL): check DATABASE_URL or --database-url, and the directory you run from; only users add and import create a database`,
    );
  }
  const store = await openStore(config);
  note(isNew ? `created a new database: ${label}` : `database: ${label}`);
  return store;
}
