import pg from 'pg';
import { StoreUnavailableError } from '../store-errors.js';

// What the parts of the PostgreSQL store share: the pool, the clock, and the one place where
// PostgreSQL's and the network's errors are translated.

const { DatabaseError } = pg;

// SQLSTATE classes that mean "not now" rather than "wrong": connection exception (08),
// insufficient resources (53: disk full, out of memory, too many connections), operator
// intervention (57: statement timeout, shutdown, cannot connect now); and the storage faults of other
// classes: read_only_sql_transaction (25006: a standby after a failover, or
// default_transaction_read_only), system_error (58000) and io_error (58030). pool.query closes a
// connection whose query failed, so one that proved read-only is not used again.
const UNAVAILABLE_SQLSTATE = /^(08|53|57)|^(25006|58000|58030)$/;

export interface PostgresConnection {
  /** One named statement on the pool; its errors pass through translatePostgresError(). */
  query<R extends pg.QueryResultRow>(name: string, text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** The store's clock, as the timestamps it writes. */
  at(): Date;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message || error.constructor.name : String(error);
}

/** Turns "the database is not there right now" into StoreUnavailableError; anything else passes. */
export function translatePostgresError(error: unknown, display: string): unknown {
  if (error instanceof StoreUnavailableError || error instanceof TypeError || error instanceof RangeError) return error;
  if (error instanceof DatabaseError && !UNAVAILABLE_SQLSTATE.test(error.code ?? '')) return error;
  // pg reports refused, reset, timed-out and terminated connections as plain Errors.
  return new StoreUnavailableError(`PostgreSQL at ${display} is unavailable: ${errorMessage(error)}`);
}

export function postgresConnection(pool: pg.Pool, display: string, now: () => number): PostgresConnection {
  return {
    async query<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
      try {
        // A name makes pg prepare the statement once per connection.
        return await pool.query<R>({ name, text, values });
      } catch (error) {
        throw translatePostgresError(error, display);
      }
    },
    at: () => new Date(now()),
  };
}

/** Whether an UPDATE or DELETE found its one row. */
export const updated = (result: pg.QueryResult) => result.rowCount === 1;
