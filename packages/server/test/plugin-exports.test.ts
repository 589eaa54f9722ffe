import assert from 'node:assert/strict';
import { test } from 'node:test';

// Other apps import the plugin by the package's name, through its "exports" map and the built dist
// (node_modules/pacerpro-auth is the workspace itself; npm run build writes dist).

test('pacerpro-auth/plugin resolves to the built plugin, the same pacerproAuth as the package root', async () => {
  const subpath = await import('pacerpro-auth/plugin');
  const root = await import('pacerpro-auth');
  assert.equal(typeof subpath.pacerproAuth, 'function');
  assert.equal(subpath.pacerproAuth, root.pacerproAuth);
  assert.match(import.meta.resolve('pacerpro-auth/plugin'), /\/packages\/server\/dist\/plugin\.js$/);
});
