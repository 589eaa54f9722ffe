import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

// The client's copy of the error codes document: docs/errors.md at the repository root, which the
// client's README cites, is not in the client's npm tarball; ERRORS.md in the package is, so the
// README's link works wherever it is read. The copy is the root document with its relative links
// rewritten for the package folder (npm run docs writes it; a test keeps it current).

export const ROOT_ERRORS_DOC = new URL('../../../docs/errors.md', import.meta.url);
export const CLIENT_ERRORS_DOC = new URL('../ERRORS.md', import.meta.url);

/** The document's text as the client package carries it; throws on a link that would leave the package. */
export function clientErrorsDocument(rootDocument = readFileSync(ROOT_ERRORS_DOC, 'utf8')): string {
  const body = rootDocument.replace(/\]\(([^)#\s]+)(#[^)\s]*)?\)/g, (link, target: string, anchor = '') => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return link; // an absolute URL stays as it is
    // Relative to docs/ in the repository; the copy sits in packages/client/.
    const moved = posix.relative('packages/client', posix.join('docs', target));
    if (moved.startsWith('..')) {
      throw new Error(`docs/errors.md links ${target}, which the client package does not carry: link a URL, or a file of the package`);
    }
    return `](${moved}${anchor})`;
  });
  return `<!-- Written by npm run docs from docs/errors.md: edit that one. -->\n${body}`;
}
