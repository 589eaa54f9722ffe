import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { emailKey } from '../auth/email.js';
import type { Config } from '../config.js';
import { isPostgresUrl } from '../store/open-store.js';
import { openCliStore } from './cli-database.js';
import { postgresUrlProblem } from '../store/postgres-url.js';
import type { Store } from '../store/store.js';
import { StoreUnavailableError } from '../store/store-errors.js';
import type { ImportedUser } from '../store/users.js';
import type { DeviseLockable } from '../auth/devise-lockable.js';
import { CliError } from './cli-error.js';
import { CsvError, parseCsv } from './csv.js';
import { cliPostgresClient } from './postgres-client.js';
import { OPTIONAL_COLUMNS, REQUIRED_COLUMNS, classifyImport, mapDeviseRow, missingColumns, type DeviseRow } from './devise-rows.js';

// `pacerpro-auth import devise`: reads a Rails/Devise `users` table (from its PostgreSQL, or a CSV
// of it) and inserts each user with its id and jti, so tokens devise-jwt issued stay valid. A bad
// row is reported and skipped; the others go on. Rows already imported are left alone, so running
// it again changes nothing.

export interface SourceRow {
  /** CSV: the line the record starts on. */
  readonly line?: number;
  readonly row: DeviseRow;
  /** Why the row cannot be read at all (e.g. a CSV record with the wrong number of fields). */
  readonly problem?: string;
}

export interface RowReport {
  readonly line?: number;
  readonly id?: string;
  readonly reason: string;
}

export interface ImportSummary {
  readonly dryRun: boolean;
  imported: number;
  unchanged: number;
  readonly skipped: RowReport[];
  /** Rows imported with a change worth knowing about (a new jti). */
  readonly notes: RowReport[];
}

function report(source: SourceRow, reason: string): RowReport {
  const id = source.row.id;
  return {
    ...(source.line !== undefined && { line: source.line }),
    ...(id !== undefined && id !== null && id !== '' && { id: String(id) }),
    reason,
  };
}

/** Imports every row the source yields; with dryRun, only says what it would do. */
export async function importDevise(
  rows: AsyncIterable<SourceRow>,
  store: Pick<Store, 'users'>,
  dryRun: boolean,
  lockable: DeviseLockable,
): Promise<ImportSummary> {
  const summary: ImportSummary = { dryRun, imported: 0, unchanged: 0, skipped: [], notes: [] };
  // A dry run writes nothing, so it remembers what it would have written to judge later rows alike.
  const plannedById = new Map<number, ImportedUser>();
  const plannedByEmail = new Map<string, ImportedUser>();
  const lookUp = async (user: ImportedUser) =>
    [
      (await store.users.findUserById(user.id)) ?? plannedById.get(user.id),
      (await store.users.findUserByEmail(user.email)) ?? plannedByEmail.get(emailKey(user.email)),
    ] as const;

  for await (const source of rows) {
    const mapped = source.problem ? { ok: false as const, reason: source.problem } : mapDeviseRow(source.row, lockable);
    if (!mapped.ok) {
      summary.skipped.push(report(source, mapped.reason));
      continue;
    }
    const { user } = mapped;
    try {
      let outcome = classifyImport(user, ...(await lookUp(user)));
      if (outcome.kind === 'new') {
        if (dryRun) {
          plannedById.set(user.id, user);
          plannedByEmail.set(emailKey(user.email), user);
        } else if (!(await store.users.importUser(user))) {
          // Taken between the look-up and the insert (a user created on a running node): look again.
          outcome = classifyImport(user, ...(await lookUp(user)));
          if (outcome.kind === 'new') outcome = { kind: 'conflict', reason: 'the id or the e-mail was taken meanwhile' };
        }
      }
      if (outcome.kind === 'conflict') summary.skipped.push(report(source, outcome.reason));
      else summary[outcome.kind === 'new' ? 'imported' : 'unchanged']++;
      if (outcome.kind === 'new' && mapped.note) summary.notes.push(report(source, mapped.note));
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error; // no later row can succeed either
      summary.skipped.push(report(source, `the database refused it: ${(error as Error).message}`));
    }
  }
  return summary;
}

/** The rows of a CSV export of the users table, with a header line naming the columns. */
export async function* readCsvRows(path: string): AsyncGenerator<SourceRow> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new CliError(`${path}: ${error.message}`);
    throw error;
  }
  const [header, ...body] = records;
  const columns = (header?.fields ?? []).map((name) => name.trim().toLowerCase());
  checkColumns(columns, path);
  for (const record of body) {
    const row = Object.fromEntries(columns.map((column, i) => [column, record.fields[i]]));
    const problem =
      record.fields.length === columns.length ? undefined : `has ${record.fields.length} fields where the header names ${columns.length}`;
    yield { line: record.line, row, ...(problem && { problem }) };
  }
}

function checkColumns(columns: readonly string[], source: string): void {
  const missing = missingColumns(columns);
  if (missing.length > 0) {
    throw new CliError(
      `${source} has no column ${missing.join(', ')}: expected ${REQUIRED_COLUMNS.join(',')}[,${OPTIONAL_COLUMNS.join(',')}]`,
    );
  }
}

const INTEGER_TYPES = new Set([pg.types.builtins.INT2, pg.types.builtins.INT4, pg.types.builtins.INT8]);

function quoteTable(table: string): string {
  return table
    .split('.')
    .map((part) => pg.escapeIdentifier(part))
    .join('.');
}

/** The rows of a Rails database's users table, page by page in id order (any size of table). */
export async function* readPostgresRows(url: string, table: string, connectTimeoutMs: number, pageRows = 1000): AsyncGenerator<SourceRow> {
  const { client, display } = cliPostgresClient(url, connectTimeoutMs, 'pacerpro-auth import');
  const source = `${quoteTable(table)} at ${display}`;
  try {
    await client.connect();
    const probe = await client.query(`SELECT * FROM ${quoteTable(table)} LIMIT 0`);
    const columns = probe.fields.map((field) => field.name);
    checkColumns(columns, source);
    const idType = probe.fields.find((field) => field.name === 'id')!.dataTypeID;
    if (!INTEGER_TYPES.has(idType)) throw new CliError(`${source}: the id column is not an integer, so ids cannot be kept`);
    const optional = OPTIONAL_COLUMNS.filter((column) => columns.includes(column));
    // Text, so a row with an odd value is reported by the row mapper instead of failing the query.
    const select = [...REQUIRED_COLUMNS, ...optional]
      .map((c) => `t.${pg.escapeIdentifier(c)}::text AS ${pg.escapeIdentifier(c)}`)
      .join(', ');
    let after = '0';
    for (;;) {
      const page = await client.query<Record<string, string | null>>(
        // t.id, not the text column of the same name: pages follow the numeric order.
        `SELECT ${select} FROM ${quoteTable(table)} AS t WHERE t.id > $1 ORDER BY t.id LIMIT ${pageRows}`,
        [after],
      );
      for (const row of page.rows) yield { row };
      if (page.rows.length < pageRows) break;
      after = page.rows[page.rows.length - 1]!.id!;
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read the Devise users from ${source}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The summary as people read it: counts on the first line, then one line per skipped or noted row. */
export function formatSummary(summary: ImportSummary): string {
  const where = (r: RowReport) => [r.line !== undefined && `line ${r.line}`, r.id !== undefined && `id ${r.id}`].filter(Boolean).join(', ');
  const counts = `${summary.dryRun ? 'would import' : 'imported'} ${summary.imported}, unchanged ${summary.unchanged}, skipped ${summary.skipped.length}`;
  return [
    summary.dryRun ? `dry run, nothing written: ${counts}` : counts,
    ...summary.skipped.map((r) => `skipped ${where(r)}: ${r.reason}`),
    ...summary.notes.map((r) => `note ${where(r)}: ${r.reason}`),
  ].join('\n');
}

export const IMPORT_HELP = `Usage: pacerpro-auth import devise (--from postgres://… | --csv FILE) [options]

Copies the users of a Rails app using Devise and devise-jwt into DATABASE_URL, keeping their ids,
jtis and bcrypt hashes: tokens devise-jwt issued stay valid when PACERPRO_JWT_SECRET is the Rails
app's devise-jwt secret, and each bcrypt hash becomes argon2id at the user's next login (set
PACERPRO_DEVISE_PEPPER when Devise has a pepper). Users already imported are left as they are, so
running it again changes nothing. Exits 1 when any row was skipped.

Options:
  --from URL               the Rails database (postgres://…); reads its users table
  --table NAME             the table to read with --from (default users; schema.table works)
  --csv FILE               a CSV with the columns id,email,encrypted_password,jti[,locked_at,failed_attempts]
  --dry-run                report what would be imported, write nothing
  --json                   print the summary as JSON
  --database-url URL       DATABASE_URL: where to import to (default ./data/pacerpro.db)
`;

type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** The `import` command: checks its arguments, imports, prints the summary; returns the exit code. */
export async function importCommand(
  args: readonly string[],
  flags: Flags,
  config: Config,
  write: (text: string) => void,
  note: (line: string) => void,
): Promise<number> {
  const [kind, ...extra] = args;
  if (kind !== 'devise')
    throw new CliError(`${kind ? `unknown import source "${kind}"` : 'missing import source'}: only "import devise" exists`, 2);
  if (extra.length > 0) throw new CliError(`unexpected argument "${extra[0]}". See pacerpro-auth import --help`, 2);
  if (config.deviseUsersTable !== undefined) {
    throw new CliError(
      `import devise is refused while attached (PACERPRO_DEVISE_USERS_TABLE is ${config.deviseUsersTable}): its users are read in place already; to leave Devise, see devise detach (docs/devise.md)`,
      2,
    );
  }
  const { from, csv, table = 'users' } = flags;
  if (typeof from === typeof csv) throw new CliError('give exactly one of --from postgres://… and --csv FILE', 2);
  if (typeof from === 'string' && !isPostgresUrl(from)) throw new CliError(`--from needs a postgres:// URL, not "${from}"`, 2);
  // Checked before the target database is opened (or created), and worded for --from, not for DATABASE_URL.
  const fromProblem = typeof from === 'string' ? postgresUrlProblem(from) : undefined;
  if (fromProblem !== undefined) throw new CliError(`--from ${fromProblem}`, 2);
  if (typeof table !== 'string' || !/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$/.test(table)) {
    throw new CliError(`--table ${String(table)} is not a table name`, 2);
  }
  const rows = typeof from === 'string' ? readPostgresRows(from, table, config.dbConnectTimeoutMs) : readCsvRows(csv as string);
  const store = await openCliStore(config, 'creates-data', note);
  try {
    const summary = await importDevise(rows, store, flags['dry-run'] === true, { unlockInSeconds: config.deviseUnlockInSeconds });
    write(flags.json ? JSON.stringify(summary) : formatSummary(summary));
    return summary.skipped.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
