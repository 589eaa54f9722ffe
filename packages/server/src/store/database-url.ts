import { isPostgresUrl, postgresUrlProblem } from './postgres-url.js';

// Which DATABASE_URL forms exist, decided here only. Anything else that looks like `scheme://` is
// refused: read as a SQLite path, `mysql://root@db/app` would become a new, empty database file, and
// an operator would see "no users" and think every account was lost.

const SQLITE_SCHEMES = ['sqlite', 'file'] as const;
const POSTGRES_SCHEMES = ['postgres', 'postgresql'] as const;
const KNOWN_SCHEMES: readonly string[] = [...POSTGRES_SCHEMES, ...SQLITE_SCHEMES];

export const DATABASE_URL_FORMS =
  'a SQLite file path such as ./data/pacerpro.db (or sqlite:PATH, file:PATH, :memory:), or postgres://user:password@host:5432/database (postgresql:// too)';

/** Levenshtein distance: small, since it only compares a scheme with four known ones. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known scheme an unknown one most likely meant, if any is within two edits. */
export function likelyScheme(scheme: string): string | undefined {
  let best: { scheme: string; distance: number } | undefined;
  for (const known of KNOWN_SCHEMES) {
    const distance = editDistance(scheme.toLowerCase(), known);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { scheme: known, distance };
  }
  return best?.scheme;
}

/**
 * Why a DATABASE_URL cannot be used, worded to follow the setting's name; undefined when it can.
 * Quotes only the scheme, never the rest: it may hold a password.
 */
export function databaseUrlProblem(value: string): string | undefined {
  if (isPostgresUrl(value)) return postgresUrlProblem(value);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  if (scheme === undefined || (SQLITE_SCHEMES as readonly string[]).includes(scheme.toLowerCase())) return undefined;
  const guess = likelyScheme(scheme);
  const hint = guess === undefined ? '' : ` Did you mean ${guess}://?`;
  return `has the scheme ${scheme}://, which this server cannot use: expected ${DATABASE_URL_FORMS}.${hint}`;
}
