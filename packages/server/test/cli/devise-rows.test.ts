import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvError, parseCsv } from '../../src/cli/csv.js';
import { classifyImport, mapDeviseRow, missingColumns } from '../../src/cli/devise-rows.js';
import { formatSummary } from '../../src/cli/import-devise.js';

// The pure half of `import devise`: row mapping, the import decision, the CSV reader, the summary.

const JTI = '0b5e5f3c-6a34-4b8e-9d21-5f0c8a7e4d11';
const HASH = '$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';
const ROW = { id: '42', email: ' Ann@Example.com', encrypted_password: HASH, jti: JTI };
const HOUR = { unlockInSeconds: 3600 } as const;

describe('mapDeviseRow', () => {
  it('keeps the id, the trimmed e-mail, the bcrypt hash and the jti; open without locked_at', () => {
    assert.deepEqual(mapDeviseRow(ROW, HOUR), {
      ok: true,
      user: { id: 42, email: 'Ann@Example.com', passwordHash: HASH, jti: JTI, lock: { kind: 'open' } },
    });
    const fromPostgres = mapDeviseRow({ ...ROW, id: 42, locked_at: null }, HOUR);
    assert.ok(fromPostgres.ok && fromPostgres.user.id === 42 && fromPostgres.user.lock.kind === 'open');
    for (const prefix of ['$2b$', '$2y$']) assert.ok(mapDeviseRow({ ...ROW, encrypted_password: prefix + HASH.slice(4) }, HOUR).ok);
  });

  it('reads locked_at as a lock that ends unlock_in later, not a permanent one', () => {
    const locked = mapDeviseRow({ ...ROW, locked_at: '2025-03-01 10:00:00', failed_attempts: '20' }, HOUR);
    assert.ok(locked.ok);
    assert.deepEqual(locked.user.lock, { kind: 'until', until: new Date('2025-03-01T11:00:00Z') });
    const byEmail = mapDeviseRow({ ...ROW, locked_at: '2025-03-01 10:00:00', failed_attempts: '20' }, { unlockInSeconds: 'never' });
    assert.ok(byEmail.ok);
    assert.deepEqual(byEmail.user.lock, { kind: 'locked' });
  });

  it('gives a fresh jti, with a note, when the jti is missing or not a UUID', () => {
    for (const jti of [undefined, null, '', 'not-a-uuid']) {
      const mapped = mapDeviseRow({ ...ROW, jti }, HOUR, () => 'fresh');
      assert.ok(mapped.ok);
      assert.equal(mapped.user.jti, 'fresh');
      assert.match(mapped.note ?? '', /new one was made/);
    }
  });

  it('refuses a row it cannot import, saying why', () => {
    const reasons = [
      [{ ...ROW, id: 'x7' }, /id "x7" is not a positive integer/],
      [{ ...ROW, id: '0' }, /not a positive integer/],
      [{ ...ROW, id: '99999999999999999999' }, /not a positive integer/],
      [{ ...ROW, email: 'nobody' }, /email "nobody" is not an e-mail address/],
      [{ ...ROW, email: null }, /email null/],
      [{ ...ROW, encrypted_password: '' }, /encrypted_password is empty/],
      [{ ...ROW, encrypted_password: 'pbkdf2$sha256$abc' }, /not a bcrypt hash/],
      [{ ...ROW, encrypted_password: `$2x$12$${HASH.slice(7)}` }, /not a bcrypt hash/],
      [{ ...ROW, locked_at: 'yesterday' }, /locked_at "yesterday" is not a time/],
    ] as const;
    for (const [row, reason] of reasons) {
      const mapped = mapDeviseRow(row, HOUR);
      assert.ok(!mapped.ok, JSON.stringify(row));
      assert.match(mapped.reason, reason);
    }
  });

  it('names the required columns a source lacks', () => {
    assert.deepEqual(missingColumns(['id', 'email', 'encrypted_password', 'jti', 'extra']), []);
    assert.deepEqual(missingColumns(['email', 'encrypted_password']), ['id', 'jti']);
  });
});

describe('classifyImport', () => {
  const user = { id: 42, email: 'ann@example.com', passwordHash: HASH, jti: JTI, lock: { kind: 'open' } } as const;
  it('is new when neither the id nor the e-mail exists', () =>
    assert.deepEqual(classifyImport(user, undefined, undefined), { kind: 'new' }));
  it('is unchanged when the same id has the same e-mail, whatever happened to it since', () =>
    assert.deepEqual(classifyImport(user, { id: 42, email: 'ANN@example.com' }, { id: 42, email: 'ANN@example.com' }), {
      kind: 'unchanged',
    }));
  it('is a conflict when the id or the e-mail belongs to someone else', () => {
    assert.deepEqual(classifyImport(user, { id: 42, email: 'bob@example.com' }, undefined), {
      kind: 'conflict',
      reason: 'id 42 already belongs to bob@example.com',
    });
    assert.deepEqual(classifyImport(user, undefined, { id: 3, email: 'ann@example.com' }), {
      kind: 'conflict',
      reason: 'ann@example.com already exists with id 3',
    });
  });
});

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks, CRLF or LF, and numbers lines', () => {
    const text = '\ufeffid,email,note\r\n1,a@x.io,"one, ""two""\nthree"\r\n\n2,b@x.io,\n';
    assert.deepEqual(parseCsv(text), [
      { line: 1, fields: ['id', 'email', 'note'] },
      { line: 2, fields: ['1', 'a@x.io', 'one, "two"\nthree'] },
      { line: 5, fields: ['2', 'b@x.io', ''] },
    ]);
  });
  it('says where a quoted field is broken', () => {
    assert.throws(
      () => parseCsv('a,b\n1,"open\n'),
      (e: unknown) => e instanceof CsvError && /line 2: a quoted field is never closed/.test(e.message),
    );
    assert.throws(() => parseCsv('a\n"x"y\n'), /line 2: text after a closing quote/);
  });
});

describe('formatSummary', () => {
  it('puts the counts first, then one line per skipped or noted row', () => {
    const summary = {
      dryRun: false,
      imported: 2,
      unchanged: 1,
      skipped: [{ line: 4, id: '9', reason: 'encrypted_password is not a bcrypt hash' }],
      notes: [{ id: '12', reason: 'jti is missing' }],
    };
    assert.equal(
      formatSummary(summary),
      'imported 2, unchanged 1, skipped 1\nskipped line 4, id 9: encrypted_password is not a bcrypt hash\nnote id 12: jti is missing',
    );
    assert.equal(
      formatSummary({ ...summary, dryRun: true, skipped: [], notes: [] }),
      'dry run, nothing written: would import 2, unchanged 1, skipped 0',
    );
  });
});
