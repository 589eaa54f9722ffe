import assert from 'node:assert/strict';
import { loadMigrations } from '../../src/store/migrations.js';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config.js';
import { openPostgresStore, parsePostgresUrl } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../support/harness.js';
import { adminQuery, freshSchema, postgresSkip } from '../support/postgres.js';
import { storeConformance } from '../support/store-conformance.js';

storeConformance('sqlite', {
  async createDatabase() {
    const temp = tempDir();
    const path = join(temp.dir, 'store.db');
    return {
      open: async (now) => openSqliteStore(path, now ? { now } : {}),
      destroy: async () => temp.remove(),
    };
  },
});

const skip = await postgresSkip();
if (skip) console.log(skip);

storeConformance('postgres', {
  skip,
  async createDatabase() {
    const schema = await freshSchema();
    return {
      open: (now) => openPostgresStore(schema.url, { poolSize: 4, ...(now && { now }) }),
      destroy: () => schema.drop(),
    };
  },
});

describe('PostgreSQL specifics', { skip }, () => {
  it('creates the schema named in ?schema= and records each migration once, however many nodes start', async () => {
    const schema = await freshSchema();
    await schema.drop(); // the store must create it itself
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(schema.url, { poolSize: 1 })));
      await Promise.all(stores.map((s) => s.close()));
      const rows = await adminQuery(`SELECT version, name FROM ${schema.name}.schema_migrations ORDER BY version`);
      assert.deepEqual(
        rows,
        loadMigrations('postgres').map(({ version, name }) => ({ version, name })),
      );
      assert.ok(rows.length >= 2);
    } finally {
      await schema.drop();
    }
  });

  it('reads ?schema= out of the URL and refuses names it would have to quote', () => {
    const target = parsePostgresUrl('postgres://u:secret@db.example:5432/app?schema=auth&sslmode=disable');
    assert.equal(target.schema, 'auth');
    assert.equal(target.connectionString, 'postgres://u:secret@db.example:5432/app?sslmode=disable');
    assert.equal(target.display, 'db.example:5432/app');
    assert.throws(() => parsePostgresUrl('postgres://db/app?schema=Auth;drop'), ConfigError);
    assert.throws(() => parsePostgresUrl('postgres://db/app?schema=a&options=-c%20search_path%3Db'), ConfigError);
  });
});
