import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ApiProblem } from '../../src/errors.js';
import { findDuplicateKey } from '../../src/http/duplicate-keys.js';
import { parseJsonBody } from '../../src/http/json-body.js';

test('finds a key given twice in one object, at any depth, however it is escaped', () => {
  assert.equal(findDuplicateKey('{"email":"a","password":"x","email":"b"}'), 'email');
  assert.equal(findDuplicateKey('{"user":{"email":"a","\\u0065mail":"b"}}'), 'email');
  assert.equal(findDuplicateKey('[{"a":1},{"b":{"c":[1,{"d":2,"d":3}]}}]'), 'd');
  assert.equal(findDuplicateKey('{ "a" : 1 , "a" : 2 }'), 'a');
});

test('equal keys in different objects, and keys inside strings, are fine', () => {
  assert.equal(findDuplicateKey('{"user":{"email":"a"},"email":"b"}'), undefined);
  assert.equal(findDuplicateKey('[{"a":1},{"a":2}]'), undefined);
  assert.equal(findDuplicateKey('{"a":"\\"a\\":1","b":["a","a"]}'), undefined);
  assert.equal(findDuplicateKey('"just a string"'), undefined);
});

test('agrees with JSON.parse on any JSON without duplicates', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      assert.equal(findDuplicateKey(JSON.stringify(value)), undefined);
    }),
  );
});

test('parseJsonBody: empty body is no body; duplicates, poison and junk are refused with our codes', () => {
  assert.equal(parseJsonBody(''), undefined);
  assert.deepEqual(parseJsonBody('{"email":"a@b.c"}'), { email: 'a@b.c' });
  const refused = (text: string, code: string, message?: RegExp) =>
    assert.throws(
      () => parseJsonBody(text),
      (e: unknown) => e instanceof ApiProblem && e.code === code && (!message || message.test(e.message)),
    );
  refused('{"email":"a","email":"b"}', 'invalid_body', /the key "email" more than once/);
  refused('{"constructor":{"prototype":{"admin":true}}}', 'invalid_body', /forbidden key/);
  refused('{"a":', 'malformed_json');
});
