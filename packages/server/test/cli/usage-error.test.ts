import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandOf, usageMessage } from '../../src/cli/usage-error.js';

test('the --help pointed at is the command typed, with its subcommand when it has one', () => {
  assert.equal(commandOf(['users', 'list', '--jsn']), 'pacerpro-auth users list');
  assert.equal(commandOf(['--jsn', 'users']), 'pacerpro-auth users');
  assert.equal(commandOf(['audit', '--x']), 'pacerpro-auth audit');
  assert.equal(commandOf(['import', 'devise', '--x']), 'pacerpro-auth import devise');
  assert.equal(commandOf(['frob']), 'pacerpro-auth');
});

test('an unknown option written as --opt=value is named without its value (which may be a secret)', () => {
  const error = { message: "Unknown option '--jwt-secrt=abc'. To specify a positional argument starting with a '-' …" };
  assert.equal(usageMessage(error, ['serve', '--jwt-secrt=abc']), "Unknown option '--jwt-secrt': see 'pacerpro-auth serve --help'");
});

test('a parser message this CLI has no words for still points at --help', () => {
  assert.equal(usageMessage({ message: 'Something odd.' }, ['audit']), "Something odd: see 'pacerpro-auth audit --help'");
});
