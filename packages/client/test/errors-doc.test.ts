import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CLIENT_ERRORS_DOC, clientErrorsDocument } from '../scripts/errors-doc.js';

// The README links ERRORS.md, the package's copy of docs/errors.md, so the link works in the npm
// tarball too (which carries no docs/ folder). These keep the copy current and its links inside.

test('an ERRORS.md older than docs/errors.md fails the build (run npm run docs)', () => {
  assert.equal(readFileSync(CLIENT_ERRORS_DOC, 'utf8'), clientErrorsDocument());
});

test("the copy's links are rewritten for the package folder, and a link to a file outside the package is refused", () => {
  assert.match(
    clientErrorsDocument('see [the README](../packages/client/README.md#errors) and [x](https://example.com/a)'),
    /\[the README\]\(README\.md#errors\) and \[x\]\(https:\/\/example\.com\/a\)$/,
  );
  assert.throws(() => clientErrorsDocument('see [the API](api.md)'), /links api\.md, which the client package does not carry/);
});
