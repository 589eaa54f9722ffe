import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/harness.js';

// Mistakes an operator makes, run as the real bin: each gets one first line that names the fix, and
// leaves nothing behind.

const temp = tempDir();
after(() => temp.remove());

const firstLine = (text: string) => text.split('\n')[0];

test('a mistyped postgres DATABASE_URL stops users list (exit 1) instead of answering "no users" from a new SQLite file', async () => {
  const url = 'postgress://pacerpro:hunter2@127.0.0.1/test';
  const result = await runCli(['users', 'list'], { env: { DATABASE_URL: url }, cwd: temp.dir });
  assert.equal(result.code, 1);
  assert.equal(
    firstLine(result.stderr),
    'pacerpro-auth: DATABASE_URL has the scheme postgress://, which this server cannot use: expected a SQLite file path such as ' +
      './data/pacerpro.db (or sqlite:PATH, file:PATH, :memory:), or postgres://user:password@host:5432/database (postgresql:// too). ' +
      'Did you mean postgres://?',
  );
  assert.equal(result.stdout, '');
  assert.ok(!result.stderr.includes('hunter2'));
  assert.deepEqual(readdirSync(temp.dir), [], 'no file was created');
});

test('a mysql:// DATABASE_URL stops serve (exit 1) before it listens or creates a file', async () => {
  const result = await runCli(['serve', '--port', '0'], { env: { DATABASE_URL: 'mysql://root@127.0.0.1/db' }, cwd: temp.dir });
  assert.equal(result.code, 1);
  assert.match(
    firstLine(result.stderr)!,
    /^pacerpro-auth: DATABASE_URL has the scheme mysql:\/\/, which this server cannot use: expected /,
  );
  assert.ok(!existsSync(`${temp.dir}/mysql:`));
});
