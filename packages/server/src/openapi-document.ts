import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { openSqliteStore } from './store/sqlite.js';

// The OpenAPI document exactly as a server serves it at /v1/openapi.json, built without listening
// and without touching a real database: for `npm run openapi`, which writes the committed copy.

export async function generateOpenApiDocument(): Promise<unknown> {
  const store = openSqliteStore(':memory:');
  const config = loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent' });
  const app = await buildApp(config, { store });
  try {
    const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    return res.json();
  } finally {
    await app.close();
    await store.close();
  }
}

/** The committed file's text: two-space indented JSON and a final newline, so diffs stay readable. */
export function formatOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
