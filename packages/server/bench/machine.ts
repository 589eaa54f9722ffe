import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

// What the numbers were measured on: they mean little without the machine and the versions.

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly versions: Readonly<Record<string, string>>;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  // The package's main entry is resolvable; its package.json sits in the package folder above it.
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === name) return pkg.version;
    } catch {
      // keep climbing
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

export function describeMachine(postgresVersion: string | undefined): Machine {
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: totalmem() / 2 ** 30,
    versions: {
      node: process.version,
      fastify: packageVersion('fastify'),
      '@node-rs/argon2': packageVersion('@node-rs/argon2'),
      'better-sqlite3': packageVersion('better-sqlite3'),
      SQLite: sqlite,
      pg: packageVersion('pg'),
      PostgreSQL: postgresVersion ?? 'not reachable',
      autocannon: packageVersion('autocannon'),
    },
  };
}
