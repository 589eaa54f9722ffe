#!/usr/bin/env node
// The `pacerpro` command; all of it is in src/cli.ts (built to dist/cli.js by `npm run build`).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
