// Runs the test files of one suite with node's test runner:
//   node scripts/run-tests.mjs        every *.test.ts under packages/*/test except test/e2e/ (npm test)
//   node scripts/run-tests.mjs e2e    those under packages/*/test/e2e/ (npm run test:e2e)
// The slow end-to-end tests (packaging, browsers, clusters, signals) live in e2e/ so that the suite
// a developer runs before every commit stays fast.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

const e2e = process.argv[2] === 'e2e';
const files = readdirSync('packages')
  .flatMap((pkg) =>
    readdirSync(join('packages', pkg, 'test'), { recursive: true }).map((file) => join('packages', pkg, 'test', String(file))),
  )
  .filter((file) => file.endsWith('.test.ts') && file.includes(`${sep}e2e${sep}`) === e2e)
  .sort();
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...process.argv.slice(e2e ? 3 : 2), ...files],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
