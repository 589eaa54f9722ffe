import type { Config } from '../config.js';
import { openCliStore } from './cli-database.js';
import { CliError } from './cli-error.js';
import { formatSummary, importDevise, readPostgresRows } from './import-devise.js';
import { cliPostgresClient } from './postgres-client.js';

// `pacerpro-auth devise detach`: the way out of attached mode (docs/devise.md, "Running beside
// Devise"). It copies the users of the Devise table the attached nodes read into our own users
// table, as `import devise` does (ids, jtis and bcrypt hashes kept, so every session stays alive),
// with Devise's locks and our operators' locks. Nodes restarted without PACERPRO_DEVISE_USERS_TABLE
// then use the copy and upgrade each bcrypt hash to argon2id at the user's next login. Rows
// already copied are left alone, so it can run again.

export const DEVISE_HELP = `Usage: pacerpro-auth devise detach [options]

Copies the users of the Devise users table named by PACERPRO_DEVISE_USERS_TABLE (attached mode)
into this server's own users table, in the schema of DATABASE_URL, keeping their ids, jtis and
bcrypt hashes: tokens stay valid. Then restart every node without PACERPRO_DEVISE_USERS_TABLE.
Run it with the settings the attached nodes have. Exits 1 when any row was skipped.

Options:
  --dry-run                report what would be copied, write nothing
  --json                   print the summary as JSON
  --database-url URL       DATABASE_URL, as the attached nodes have it (postgres://…?schema=NAME)
  --devise-users-table T   PACERPRO_DEVISE_USERS_TABLE, as the attached nodes have it
`;

type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** The ids our operators locked while attached: Devise's table has no column for that lock. */
async function operatorLocks(databaseUrl: string, connectTimeoutMs: number): Promise<number[]> {
  const { client, display } = cliPostgresClient(databaseUrl, connectTimeoutMs, 'pacerpro-auth devise detach');
  try {
    await client.connect();
    const { rows } = await client.query<{ user_id: string }>('SELECT user_id FROM attached_users WHERE locked ORDER BY user_id');
    return rows.map((row) => Number(row.user_id));
  } catch (error) {
    throw new CliError(`cannot read the operators' locks from ${display}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function deviseCommand(
  args: readonly string[],
  flags: Flags,
  config: Config,
  write: (text: string) => void,
  note: (line: string) => void,
): Promise<number> {
  const [verb, ...extra] = args;
  if (verb !== 'detach')
    throw new CliError(`${verb ? `unknown devise command "${verb}"` : 'missing devise command'}: only "devise detach" exists`, 2);
  if (extra.length > 0) throw new CliError(`unexpected argument "${extra[0]}". See pacerpro-auth devise --help`, 2);
  const table = config.deviseUsersTable;
  if (table === undefined) {
    throw new CliError(
      'devise detach copies the users of the Devise table that PACERPRO_DEVISE_USERS_TABLE names, and it is unset: run it with the settings of the attached nodes (DATABASE_URL and PACERPRO_DEVISE_USERS_TABLE)',
      2,
    );
  }
  const dryRun = flags['dry-run'] === true;
  // Our own users table: the store as a node without the setting opens it.
  const store = await openCliStore({ ...config, deviseUsersTable: undefined }, 'creates-data', note);
  try {
    const locked = await operatorLocks(config.databaseUrl, config.dbConnectTimeoutMs);
    const lockedBefore = new Set<number>();
    for (const id of locked) if (await store.users.findUserById(id)) lockedBefore.add(id);
    const rows = readPostgresRows(config.databaseUrl, table, config.dbConnectTimeoutMs);
    const summary = await importDevise(rows, store, dryRun, { unlockInSeconds: config.deviseUnlockInSeconds });
    // Only users copied by this run get the lock: an earlier run's copy may have been unlocked since.
    if (!dryRun) for (const id of locked) if (!lockedBefore.has(id)) await store.users.setLocked(id, true);
    write(flags.json ? JSON.stringify(summary) : formatSummary(summary).replace(/^imported/, 'copied'));
    return summary.skipped.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
