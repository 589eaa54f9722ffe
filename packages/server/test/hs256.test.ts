import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { createHs256 } from '../src/auth/hs256.js';

// The HS256 primitive under tokens.ts: the signature is checked on the exact bytes, in its one
// canonical spelling, before anything is parsed. (What the claims may say: tokens.test.ts.)

const SECRET = 'hs256-test-secret-hs256-test-secret-0123';
const jws = createHs256(SECRET);
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const hmac = (input: string, secret = SECRET) => createHmac('sha256', secret).update(input).digest('base64url');

test('signs header.payload with HMAC-SHA256 of the secret, and verifies its own tokens', () => {
  const token = jws.sign({ a: 1 });
  const [header, payload, signature] = token.split('.');
  assert.equal(header, b64('{"alg":"HS256","typ":"JWT"}'));
  assert.equal(payload, b64('{"a":1}'));
  assert.equal(signature, hmac(`${header}.${payload}`));
  assert.deepEqual(jws.verify(token), { header: { alg: 'HS256', typ: 'JWT' }, payload: { a: 1 } });
});

test('verifies any header this key signed (the claims check judges it), decoded', () => {
  const input = `${b64('{"alg":"HS256"}')}.${b64('{"b":2}')}`;
  assert.deepEqual(jws.verify(`${input}.${hmac(input)}`), { header: { alg: 'HS256' }, payload: { b: 2 } });
});

test('refuses another spelling of the same signature, padding, and malformed shapes', () => {
  const token = jws.sign({ a: 1 });
  const signature = token.slice(token.lastIndexOf('.') + 1);
  // 43 base64url characters carry 258 bits: the last one's two spare bits change the text, not the bytes.
  const last = signature.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
  const respelled = `${token.slice(0, -1)}${sibling}`;
  assert.deepEqual(Buffer.from(respelled.split('.')[2]!, 'base64url'), Buffer.from(signature, 'base64url'));
  for (const bad of [respelled, `${token}=`, `.${token}`, token.replace('.', '..'), `${token.slice(0, token.lastIndexOf('.'))}.`, 'a.b', 'abc', '']) {
    assert.equal(jws.verify(bad), undefined, bad);
  }
});

test('refuses a signed segment that is not JSON, and another key\'s signature', () => {
  const input = `${b64('{"alg":"HS256"}')}.${b64('not json')}`;
  assert.equal(jws.verify(`${input}.${hmac(input)}`), undefined);
  const other = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64('{"a":1}')}`;
  assert.equal(jws.verify(`${other}.${hmac(other, 'another-secret-another-secret-another')}`), undefined);
});
