// npm run docs: rewrites the committed docs/configuration.md at the repository root from SETTINGS.
// The config-docs test fails while the committed copy differs from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { configurationDocument } from '../src/config-docs.js';

export const CONFIG_DOCS_FILE = new URL('../../../docs/configuration.md', import.meta.url);

mkdirSync(new URL('.', CONFIG_DOCS_FILE), { recursive: true });
writeFileSync(CONFIG_DOCS_FILE, configurationDocument());
console.log(`wrote ${CONFIG_DOCS_FILE.pathname}`);
