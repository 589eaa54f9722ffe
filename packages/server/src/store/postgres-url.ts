// What a postgres:// DATABASE_URL may hold, decided here only: loadConfig checks it before start-up,
// and the store again, since tests and tools open it with URLs of their own. `?schema=NAME` is ours,
// not pg's: the store creates that schema and puts it first on the search_path, so the name must be
// one that needs no quoting.

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const SCHEMA_ACCEPTED = 'a lower-case name like pacerpro_auth (a to z, 0 to 9 and _, at most 63, not starting with a digit)';

export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//i.test(databaseUrl);
}

/**
 * Why a postgres:// URL cannot be used, worded to follow the setting's name ("DATABASE_URL has …");
 * undefined when it can. Never quotes the URL itself: it may hold a password.
 */
export function postgresUrlProblem(databaseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return 'is not a valid URL: expected postgres://user:password@host:5432/database.';
  }
  const schema = url.searchParams.get('schema');
  if (schema === null) return undefined;
  if (!SCHEMA_NAME.test(schema)) return `?schema=${JSON.stringify(schema)} is not valid: expected ${SCHEMA_ACCEPTED}.`;
  if (url.searchParams.has('options')) return 'has both ?schema= and ?options=: give the schema in one of them only.';
  return undefined;
}
