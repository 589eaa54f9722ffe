import { randomBytes } from 'node:crypto';
import pg from 'pg';

// The PostgreSQL part runs when the database answers: in a fresh schema, dropped afterwards.

export const BENCH_PG_URL = process.env.PACERPRO_BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The server's version, or undefined when PostgreSQL does not answer. */
export async function postgresVersion(): Promise<string | undefined> {
  try {
    return (await adminQuery('SHOW server_version')).rows[0]?.server_version as string;
  } catch {
    return undefined;
  }
}

export interface BenchSchema {
  /** BENCH_PG_URL with ?schema=: what the server and the seeding store are given. */
  readonly url: string;
  drop(): Promise<void>;
}

export async function freshSchema(): Promise<BenchSchema> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${name}`);
  const separator = BENCH_PG_URL.includes('?') ? '&' : '?';
  return { url: `${BENCH_PG_URL}${separator}schema=${name}`, drop: async () => void (await adminQuery(`DROP SCHEMA ${name} CASCADE`)) };
}
