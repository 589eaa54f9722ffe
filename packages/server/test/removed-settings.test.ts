import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { removedSettingWarnings } from '../src/removed-settings.js';
import { afterDatabaseNote, runCli } from './support/cli.js';
import { tempDir } from './support/harness.js';

// A removed setting still given must not silently do nothing: it is accepted (a rolling upgrade
// does not stop for it) and warned about at every start.

const temp = tempDir();
after(() => temp.remove());

test('a removed setting still given in the environment or as a flag is warned about, not silently ignored', () => {
  const [fromEnv] = removedSettingWarnings({ PACERPRO_AUDIT_FLUSH_MS: '1000' }, {});
  assert.match(fromEnv ?? '', /^PACERPRO_AUDIT_FLUSH_MS \(--audit-flush-ms\) was removed and does nothing: .*before its request answers/);
  assert.equal(removedSettingWarnings({}, { 'audit-flush-ms': '0' }).length, 1);
  assert.deepEqual(removedSettingWarnings({ PACERPRO_AUDIT_FLUSH_MS: '' }, {}), [], 'an empty variable counts as unset');
  assert.deepEqual(removedSettingWarnings({}, {}), []);
});

test('a removed flag is accepted with a warning on stderr instead of refused as an unknown option', async () => {
  const db = join(temp.dir, 'removed.db');
  await runCli(['users', 'add', 'a@example.com', '--password-stdin', '--database-url', db], { stdin: 'correct horse battery staple\n' });
  const result = await runCli(['users', 'list', '--database-url', db, '--audit-flush-ms', '0']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /pacerpro-auth: warning: PACERPRO_AUDIT_FLUSH_MS \(--audit-flush-ms\) was removed/);
  const quiet = await runCli(['users', 'list', '--database-url', db]);
  assert.equal(afterDatabaseNote(quiet.stderr), '');
});
