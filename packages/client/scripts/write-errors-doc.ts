// npm run docs: rewrites the committed packages/client/ERRORS.md from the root docs/errors.md.
// The client's errors-doc test fails while the committed copy differs from what this writes.
import { writeFileSync } from 'node:fs';
import { CLIENT_ERRORS_DOC, clientErrorsDocument } from './errors-doc.js';

writeFileSync(CLIENT_ERRORS_DOC, clientErrorsDocument());
console.log(`wrote ${CLIENT_ERRORS_DOC.pathname}`);
