import { randomBytes } from 'node:crypto';
import pg from 'pg';

// The real PostgreSQL the tests use, and a fresh schema per use so runs never collide.
// Under CI (CI=true) a missing PostgreSQL fails the run; elsewhere its tests skip and say why.

export const PG_URL = process.env.PACERPRO_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

let checked: Promise<string | false> | undefined;

/** false when PostgreSQL answers; otherwise the skip message (and under CI, a failure instead). */
export function postgresSkip(): Promise<string | false> {
  return (checked ??= probe().then((problem) => {
    if (problem === undefined) return false;
    // Under CI these tests run regardless, and fail with the connection error: never a silent skip.
    if (process.env.CI === 'true') return false;
    return (
      `PostgreSQL at ${PG_URL} does not answer (${problem}). To run these tests, start PostgreSQL on 127.0.0.1:5432 ` +
      'with a database "test" the current user may use (or set PACERPRO_TEST_DATABASE_URL); CI=true makes this a failure'
    );
  }));
}

/** Runs SQL as the test role, outside any store. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export interface TestSchema {
  readonly name: string;
  /** PG_URL with ?schema= this schema: what a store or a server is given. */
  readonly url: string;
  drop(): Promise<void>;
}

/** A new, empty schema, dropped with everything in it by drop(). */
export async function freshSchema(): Promise<TestSchema> {
  const name = `pacerpro_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${name}`);
  const url = new URL(PG_URL);
  url.searchParams.set('schema', name);
  return { name, url: url.toString(), drop: () => adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`).then(() => {}) };
}

/**
 * A role of its own on `schema`, whose sessions can be made read-only (a standby after a
 * failover) without touching the shared database: readOnly(true), then endSessions() so that
 * sessions take the role's new default.
 */
export async function switchableRole(schema: TestSchema) {
  const role = `pacerpro_ro_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE ROLE ${role} LOGIN`);
  await adminQuery(`GRANT ALL ON SCHEMA ${schema.name} TO ${role}`);
  const url = new URL(schema.url);
  url.username = role;
  return {
    url: url.toString(),
    readOnly: (on: boolean) =>
      adminQuery(`ALTER ROLE ${role} ${on ? 'SET default_transaction_read_only = on' : 'RESET default_transaction_read_only'}`),
    endSessions: () => adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]),
    drop: () => adminQuery(`DROP ROLE IF EXISTS ${role}`),
  };
}
