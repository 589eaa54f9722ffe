import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Numbered schema changes live as plain SQL in packages/server/migrations/<dialect>/NNN_name.sql,
// outside src/ so that the same files serve the TypeScript sources and the built dist/.

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function migrationsDir(dialect: 'sqlite' | 'postgres'): string {
  // src/store/ and dist/store/ are both two levels below the package root.
  return fileURLToPath(new URL(`../../migrations/${dialect}/`, import.meta.url));
}

export function loadMigrations(dialect: 'sqlite' | 'postgres', dir = migrationsDir(dialect)): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (!match) throw new Error(`migration file ${dir}${file} must be named NNN_name.sql`);
      return { version: Number(match[1]), name: match[2]!, sql: readFileSync(dir + file, 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations in ${dir} must be numbered 001, 002, … without gaps`);
  });
  return migrations;
}

const shipped = new Map<string, number>();

/** Fails readiness when the database's schema is older than the migrations this code ships. */
export function schemaBehind(appliedVersion: number | null, dialect: 'sqlite' | 'postgres'): string | undefined {
  let needed = shipped.get(dialect);
  if (needed === undefined) shipped.set(dialect, (needed = loadMigrations(dialect).length)); // read once, not per poll
  return (appliedVersion ?? 0) < needed
    ? `the database schema is at migration ${appliedVersion ?? 0}, this server needs ${needed}: restart it to migrate`
    : undefined;
}
