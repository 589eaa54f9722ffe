import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configurationDocument, shownDefault } from '../src/config-docs.js';
import { SETTINGS, type AnySetting } from '../src/config.js';

// docs/configuration.md is generated from SETTINGS (npm run docs); these tests keep the committed
// copy equal to what the generator writes, and the generator true to every row.

const COMMITTED = new URL('../../../docs/configuration.md', import.meta.url);

test('a setting added without its docs row fails the build (run npm run docs)', () => {
  assert.equal(readFileSync(COMMITTED, 'utf8'), configurationDocument());
});

test('the generated table has one row per setting, in order, with its variable, flag, default and accepted values', () => {
  const rows = configurationDocument()
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  assert.equal(rows.length, SETTINGS.length);
  SETTINGS.forEach((s: AnySetting, i) => {
    assert.ok(rows[i]!.startsWith(`| \`${s.env}\` | \`--${s.flag}\` | ${shownDefault(s)} | ${s.accepted} | ${s.describe}`), rows[i]);
  });
});

test("a | inside a setting's text does not split its docs row", () => {
  const odd: AnySetting = {
    key: 'odd',
    env: 'ODD',
    flag: 'odd',
    describe: 'a | b',
    accepted: 'x|y',
    defaultValue: 'p|q',
    parse: () => ({ ok: false }),
  };
  const row = configurationDocument([odd], []).split('\n').at(-2);
  assert.equal(row, '| `ODD` | `--odd` | `p\\|q` | x\\|y | a \\| b |');
});

test('docs write unset, computed and unit defaults as an operator would', () => {
  const byEnv = (env: string) => shownDefault(SETTINGS.find((s) => s.env === env)!);
  assert.equal(byEnv('PORT'), '`3000`');
  assert.equal(byEnv('PACERPRO_JWT_SECRET'), 'unset');
  assert.equal(byEnv('PACERPRO_CORS_ORIGINS'), 'unset');
  assert.equal(byEnv('PACERPRO_TRUST_PROXY'), 'unset');
  assert.equal(byEnv('PACERPRO_SESSION_MAX_AGE'), '`30d`');
  assert.equal(byEnv('PACERPRO_HASH_CONCURRENCY'), 'cores ÷ workers − 1, from 1 to 3');
});
