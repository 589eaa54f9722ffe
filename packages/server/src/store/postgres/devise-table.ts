import pg from 'pg';
import { ConfigError } from '../../config.js';

// What a Rails app's Devise users table offers, read from the catalogue once at start-up
// (attached mode, PACERPRO_DEVISE_USERS_TABLE): the columns the users part reads and writes in
// place, how its times are stored, and whether `users add` can write a row Devise can use.

/** Columns attached mode cannot do without: Devise's database_authenticatable and devise-jwt's JTIMatcher. */
export const REQUIRED_COLUMNS = ['id', 'email', 'encrypted_password', 'jti'] as const;

/** Columns a new row gets from us; any other NOT NULL column without a default makes `users add` refuse. */
const FILLED_ON_ADD = new Set(['email', 'encrypted_password', 'jti', 'created_at', 'updated_at']);

const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);
const TEXT_TYPES = new Set(['text', 'character varying', 'character']);

export interface DeviseTable {
  /** schema.table, for messages. */
  readonly name: string;
  /** schema.table, quoted for SQL. */
  readonly sql: string;
  /** Lockable's columns, when the app has them. */
  readonly lockedAt: boolean;
  readonly failedAttempts: boolean;
  readonly unlockToken: boolean;
  /**
   * How each time column present is read as a timestamptz and written from one: Rails writes
   * `timestamp without time zone` in UTC, which PostgreSQL would otherwise read as local time.
   */
  readonly times: ReadonlyMap<string, 'utc' | 'zoned'>;
  /** Why `users add` cannot write a row Devise can use; undefined when it can. */
  readonly addRefusal: string | undefined;
}

interface ColumnRow {
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_identity: 'YES' | 'NO';
}

type Query = (text: string, values: unknown[]) => Promise<{ rows: ColumnRow[] }>;

/** Reads the table's columns; refuses start-up, naming the table and the column, when attached mode cannot work. */
export async function inspectDeviseTable(query: Query, qualified: string, database: string): Promise<DeviseTable> {
  const [schema = '', table = ''] = qualified.split('.');
  const { rows } = await query(
    `SELECT column_name, data_type, is_nullable, column_default, is_identity
     FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
    [schema, table],
  );
  const setting = `PACERPRO_DEVISE_USERS_TABLE is ${qualified}`;
  if (rows.length === 0) {
    throw new ConfigError(
      `${setting}, which is not a table of ${database} that this role can see: give the Rails app's users table as schema.table, and grant this role SELECT, INSERT and UPDATE on it.`,
    );
  }
  const columns = new Map(rows.map((row) => [row.column_name, row]));
  const missing = REQUIRED_COLUMNS.filter((name) => !columns.has(name));
  if (missing.length > 0) {
    const jti = missing.includes('jti') ? " (devise-jwt's JTIMatcher adds jti: add_column :users, :jti, :string, null: false)" : '';
    throw new ConfigError(
      `${setting}, which has no column ${missing.join(', ')}${jti}: attached mode reads ${REQUIRED_COLUMNS.join(', ')} in place.`,
    );
  }
  const wrongType = (name: string, types: ReadonlySet<string>, expected: string) => {
    const type = columns.get(name)!.data_type;
    if (!types.has(type)) throw new ConfigError(`${setting}, whose column ${name} is ${type}: attached mode needs ${expected}.`);
  };
  wrongType('id', INTEGER_TYPES, 'an integer id (the tokens carry it as sub)');
  for (const name of ['email', 'encrypted_password', 'jti']) wrongType(name, TEXT_TYPES, 'a string column');

  const times = new Map<string, 'utc' | 'zoned'>();
  for (const name of ['locked_at', 'created_at', 'updated_at']) {
    const type = columns.get(name)?.data_type;
    if (type === 'timestamp without time zone') times.set(name, 'utc');
    else if (type === 'timestamp with time zone') times.set(name, 'zoned');
    else if (type !== undefined) throw new ConfigError(`${setting}, whose column ${name} is ${type}: attached mode needs a timestamp.`);
  }
  return {
    name: qualified,
    sql: `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`,
    lockedAt: times.has('locked_at'),
    failedAttempts: columns.has('failed_attempts'),
    unlockToken: columns.has('unlock_token'),
    times,
    addRefusal: addRefusal(qualified, columns),
  };
}

function addRefusal(table: string, columns: ReadonlyMap<string, ColumnRow>): string | undefined {
  const id = columns.get('id')!;
  if (id.column_default === null && id.is_identity === 'NO') {
    return `users add cannot add a row to ${table}: its id has no default (no sequence) to take a new id from; add the user in Rails`;
  }
  // Devise's confirmable would refuse the new user's logins in Rails until a confirmation we cannot send.
  if (columns.has('confirmed_at')) {
    return `users add cannot add a row to ${table} that Devise lets log in: the table has confirmed_at (Devise's confirmable), and a user added here would be unconfirmed in Rails; add the user in Rails`;
  }
  const unknown = [...columns.values()]
    .filter((c) => c.is_nullable === 'NO' && c.column_default === null && c.is_identity === 'NO' && c.column_name !== 'id')
    .map((c) => c.column_name)
    .filter((name) => !FILLED_ON_ADD.has(name));
  if (unknown.length > 0) {
    return `users add cannot add a row to ${table}: its column ${unknown.join(', ')} is NOT NULL without a default, and only the Rails app knows what to put there; add the user in Rails`;
  }
  return undefined;
}

/** A time column as a timestamptz in a SELECT of the table aliased `alias`; NULL when the table has no such column. */
export function readTime(table: DeviseTable, column: string, alias: string): string {
  const kind = table.times.get(column);
  if (kind === undefined) return 'NULL::timestamptz';
  return kind === 'utc' ? `(${alias}.${column} AT TIME ZONE 'UTC')` : `${alias}.${column}`;
}

/** A timestamptz parameter as the column stores it. */
export function writeTime(table: DeviseTable, column: string, parameter: string): string {
  return table.times.get(column) === 'utc' ? `(${parameter}::timestamptz AT TIME ZONE 'UTC')` : `${parameter}::timestamptz`;
}
