import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The example matters API (examples/matters-api) compiles against the built package's declarations,
// as an app that installed pacerpro-auth would: the plugin, its options and request.pacerproUser.
// How it behaves is test/matters-example.test.ts; this is packaging, and a full tsc run.

test('the example type-checks against the built package, request.pacerproUser included', async () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const project = fileURLToPath(new URL('../../../../examples/matters-api/tsconfig.json', import.meta.url));
  // tsc exits non-zero on any type error, which rejects with its output.
  await promisify(execFile)(process.execPath, [tsc, '-p', project]);
});
