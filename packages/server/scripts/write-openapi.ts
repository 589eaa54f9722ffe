// npm run openapi: rewrites the committed openapi.json at the repository root from the routes.
// The openapi test fails while the committed copy differs from what the server serves.
import { writeFileSync } from 'node:fs';
import { formatOpenApiDocument, generateOpenApiDocument } from '../src/openapi-document.js';

export const OPENAPI_FILE = new URL('../../../openapi.json', import.meta.url);

writeFileSync(OPENAPI_FILE, formatOpenApiDocument(await generateOpenApiDocument()));
console.log(`wrote ${OPENAPI_FILE.pathname}`);
