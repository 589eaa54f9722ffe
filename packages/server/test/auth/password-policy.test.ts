import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonPasswordCount, passwordProblem } from '../../src/auth/password-policy.js';
import { afterDatabaseNote, runCli } from '../support/cli.js';
import { tempDir } from '../support/harness.js';

// NIST SP 800-63B for new passwords: length bounds, no composition rules, no known-bad passwords.

const policy = { minLength: 12 };

test('the shipped common-password list has at least 10,000 entries', async () => {
  assert.ok((await commonPasswordCount()) >= 10_000);
});

test('length, the e-mail itself and common passwords are refused; nothing else is', async () => {
  assert.match((await passwordProblem('short', 'a@b.c', policy))!, /at least 12 characters/);
  assert.match((await passwordProblem('🔑'.repeat(11), 'a@b.c', policy))!, /at least 12 characters/, 'characters, not bytes');
  assert.match((await passwordProblem('x'.repeat(1025), 'a@b.c', policy))!, /at most 1024 bytes/);
  assert.match((await passwordProblem('Alice@Example.com', 'alice@example.com', policy))!, /not be the e-mail/);
  assert.match((await passwordProblem('qwerty123456', 'a@b.c', policy))!, /commonly used/);
  assert.match((await passwordProblem('Password', 'a@b.c', { minLength: 8 }))!, /commonly used/, 'compared case-insensitively');
  for (const fine of ['correct horse battery staple', 'alllowercaseletters', '🔑'.repeat(12), 'x'.repeat(1024)]) {
    assert.equal(await passwordProblem(fine, 'a@b.c', policy), undefined, fine.slice(0, 20));
  }
});

test('users add applies the policy, with the minimum length from PACERPRO_PASSWORD_MIN_LENGTH', async () => {
  const temp = tempDir();
  const add = (email: string, password: string, env: Record<string, string> = {}) =>
    runCli(['users', 'add', email, '--password-stdin', '--database-url', `${temp.dir}/policy.db`], { stdin: password, env });
  try {
    const common = await add('a@example.com', 'qwerty123456');
    assert.equal(common.code, 1);
    assert.equal(
      afterDatabaseNote(common.stderr),
      'pacerpro-auth: the password is on the list of commonly used passwords; choose another\n',
    );
    assert.equal((await add('b@example.com', 'sixteen chars ok', { PACERPRO_PASSWORD_MIN_LENGTH: '20' })).code, 1);
    assert.equal((await add('b@example.com', 'twenty characters ok', { PACERPRO_PASSWORD_MIN_LENGTH: '20' })).code, 0);
  } finally {
    temp.remove();
  }
});
