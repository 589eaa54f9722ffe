import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_EMAIL_LENGTH, emailKey, isEmailAddress } from '../../src/auth/email.js';
import { checkEmail } from '../../src/cli/users.js';
import { ERRORS } from '../../src/errors.js';
import { readCredentials } from '../../src/http/credentials.js';
import { UserSchema } from '../../src/http/schemas.js';

// The e-mail rules are one module; these tests hold every place that applies them to the same limit.

const address = (length: number) => `${'a'.repeat(length - '@example.com'.length)}@example.com`;

test('an address the CLI can create is never refused as too long at login, and one character more is refused by both', () => {
  const longest = address(MAX_EMAIL_LENGTH);
  assert.equal(longest.length, 254);
  assert.equal(checkEmail(longest), longest);
  assert.equal(readCredentials({ email: longest, password: 'x' }).email, longest);

  const over = address(MAX_EMAIL_LENGTH + 1);
  assert.equal(isEmailAddress(over), false);
  assert.throws(() => checkEmail(over), /at most 254 characters/);
  assert.throws(
    () => readCredentials({ email: over, password: 'x' }),
    (error: unknown) => (error as { code?: string }).code === 'email_too_long',
  );
});

test('the OpenAPI schema and the email_too_long message state the limit the login body applies', () => {
  assert.equal(UserSchema.properties.email.maxLength, MAX_EMAIL_LENGTH);
  assert.equal(ERRORS.email_too_long.message, 'email is longer than 254 characters.');
});

test('e-mails that differ only in case or surrounding spaces share one key, so they name one account', () => {
  assert.equal(emailKey('  Alice@Example.COM \t'), 'alice@example.com');
  assert.equal(emailKey('alice@example.com'), emailKey(' ALICE@example.com'));
  assert.notEqual(emailKey('alice@example.com'), emailKey('alice@example.org'));
});

test("an address is Devise's: one @ with something either side and no spaces inside, surrounding spaces ignored", () => {
  for (const fine of ['a@b', 'alice@example.com', '  alice@example.com  ', "o'brien+tag@sub.example.co.uk"])
    assert.ok(isEmailAddress(fine), fine);
  for (const bad of ['', 'alice', '@example.com', 'alice@', 'a@b@c', 'al ice@example.com', 'alice@exa mple.com'])
    assert.ok(!isEmailAddress(bad), bad);
});
