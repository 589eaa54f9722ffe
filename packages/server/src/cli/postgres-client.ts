import pg from 'pg';
import { parsePostgresUrl } from '../store/postgres.js';

// One connection for a CLI command that reads PostgreSQL outside the store (the Devise table of
// `import devise --from`, the operators' locks of `devise detach`): the URL's ?schema= as its
// search path, the configured connect timeout, and the command's name in pg_stat_activity.

export interface CliPostgresClient {
  readonly client: pg.Client;
  /** The URL without its password, for messages. */
  readonly display: string;
}

export function cliPostgresClient(url: string, connectTimeoutMs: number, applicationName: string): CliPostgresClient {
  const target = parsePostgresUrl(url);
  const client = new pg.Client({
    connectionString: target.connectionString,
    ...(target.schema && { options: `-c search_path=${target.schema}` }),
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: applicationName,
  });
  client.on('error', () => {}); // a lost connection also fails the pending query, which reports it
  return { client, display: target.display };
}
