import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERRORS } from '../src/errors.js';

// docs/errors.md is what users read to handle our errors; ERRORS is what the server answers. The
// doc's table is parsed and compared with ERRORS both ways, so neither can change alone.

const DOC = new URL('../../../docs/errors.md', import.meta.url);

interface DocRow {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly advice: string;
}

type ErrorTable = Readonly<Record<string, { readonly status: number; readonly message: string }>>;

/** The rows of the codes table: lines of the form | `code` | status | `message` | advice |. */
function docRows(markdown: string): DocRow[] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim());
      assert.equal(cells.length, 4, `a row of four cells: ${line}`);
      const [code = '', status = '', message = '', advice = ''] = cells;
      const unquote = (cell: string) => (/^`[^`]+`$/.test(cell) ? cell.slice(1, -1) : cell);
      return { code: unquote(code), status: Number(status), message: unquote(message), advice };
    });
}

/** What differs between the doc's table and ERRORS; empty when they agree. */
function docProblems(rows: readonly DocRow[], errors: ErrorTable): string[] {
  const problems: string[] = [];
  const documented = new Map<string, DocRow>();
  for (const row of rows) {
    if (documented.has(row.code)) problems.push(`${row.code} is documented twice`);
    documented.set(row.code, row);
    const actual = errors[row.code];
    if (!actual) {
      problems.push(`${row.code} is documented but the server has no such code`);
      continue;
    }
    if (row.status !== actual.status) problems.push(`${row.code}: the doc says status ${row.status}, the server answers ${actual.status}`);
    if (row.message !== actual.message)
      problems.push(`${row.code}: the doc's message differs from the server's: ${JSON.stringify(actual.message)}`);
    if (row.advice === '') problems.push(`${row.code} does not say what a client should do`);
  }
  for (const code of Object.keys(errors)) if (!documented.has(code)) problems.push(`${code} is missing from docs/errors.md`);
  return problems;
}

test('an error code missing from docs/errors.md, a stale one, or a status or message that differs from ERRORS fails the build', () => {
  const rows = docRows(readFileSync(DOC, 'utf8'));
  assert.deepEqual(docProblems(rows, ERRORS), []);
  assert.equal(rows.length, Object.keys(ERRORS).length);
});

test('the docs/errors.md check reports a missing code, a stale code, a changed status, a changed message and a missing answer', () => {
  const rows = docRows(readFileSync(DOC, 'utf8'));
  const [first, second, ...rest] = rows;
  assert.ok(first && second);
  const changed = [
    { ...first, status: first.status + 1 },
    { ...second, message: `${second.message} (edited)`, advice: '' },
    ...rest.slice(1),
    { code: 'gone_code', status: 410, message: 'Gone.', advice: 'Nothing.' },
  ];
  assert.deepEqual(docProblems(changed, ERRORS), [
    `${first.code}: the doc says status ${first.status + 1}, the server answers ${first.status}`,
    `${second.code}: the doc's message differs from the server's: ${JSON.stringify(second.message)}`,
    `${second.code} does not say what a client should do`,
    'gone_code is documented but the server has no such code',
    `${rest[0]!.code} is missing from docs/errors.md`,
  ]);
  assert.deepEqual(docProblems([...rows, first], ERRORS), [`${first.code} is documented twice`]);
});
