import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_AUTHORIZATION_LENGTH, parseAuthorization } from '../../src/http/authorization.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2lnbmF0dXJl';

test('Bearer and bare tokens, the scheme in any case, extra spaces and tabs', () => {
  for (const header of [
    `Bearer ${JWT}`,
    JWT,
    `bearer ${JWT}`,
    `BEARER ${JWT}`,
    `Bearer   ${JWT}`,
    `Bearer\t${JWT}`,
    `  Bearer ${JWT}  `,
    ` ${JWT} `,
  ]) {
    assert.deepEqual(parseAuthorization(header), { kind: 'token', token: JWT }, JSON.stringify(header));
  }
});

test('no token: no header, empty, "Bearer" and "Bearer " with nothing after it', () => {
  for (const header of [undefined, '', '   ', 'Bearer', 'Bearer ', 'bearer   ']) {
    assert.deepEqual(parseAuthorization(header), { kind: 'missing' }, JSON.stringify(header));
  }
});

test('anything else is invalid', () => {
  const invalid = [
    `Basic ${JWT}`,
    `Bearer ${JWT} ${JWT}`,
    `Bearer ${JWT}.extra`,
    `Token ${JWT}`,
    'Bearer abc',
    `${JWT.split('.').slice(0, 2).join('.')}.`,
    `Bearer ${JWT}\u0000`,
    'Bearer=' + JWT,
    [JWT, JWT],
  ];
  for (const header of invalid) assert.deepEqual(parseAuthorization(header), { kind: 'invalid' }, JSON.stringify(header));
});

test('a header over 4 KB is refused before any parsing', () => {
  const long = `Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH)}.b.c`;
  assert.deepEqual(parseAuthorization(long), { kind: 'invalid' });
  assert.equal(MAX_AUTHORIZATION_LENGTH, 4096);
});
