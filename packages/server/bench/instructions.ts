// Instructions the server executes per refresh or logout, counted by valgrind's callgrind: a figure
// that does not move with the machine's load, unlike every timing on a shared 2-vCPU VM. Use it to
// compare two builds (--bin); it leaves out the kernel's share (the socket writes) and runs V8 more
// slowly than in production, so its JIT tiers differ a little: compare builds, not absolutes.
//
//   node --import tsx packages/server/bench/instructions.ts [--bin FILE] [--run refresh|logout] [--requests N]
//                                                          [--keep DIR] [--callers N]
//
// It prints the event loop's thread (what bounds throughput) and all threads (V8's compiler and
// GC helpers). --keep copies callgrind's output and V8's map of compiled
// JavaScript (perf-PID.map) to DIR, for `callgrind_annotate`; --callers N names each function with
// its N callers (callgrind's --separate-callers), which tells which JavaScript function reached a
// V8 runtime call.
//
// Needs valgrind (Debian: apt-get install valgrind). The server starts under callgrind with
// instrumentation off, takes 3 × N unmeasured requests (so V8 has compiled the hot path), then N
// measured ones at 10 connections.
import autocannon, { type RawRequest } from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { storeOfBuild } from './build-under-test.js';
import { seedUsers, tokenMinter } from './fixtures.js';
import { freePort, waitUntilAnswering } from './processes.js';
import { logoutRequests, refreshRequests } from './requests.js';

const { values } = parseArgs({
  options: {
    bin: { type: 'string', default: fileURLToPath(new URL('../bin/pacerpro-auth.js', import.meta.url)) },
    run: { type: 'string', default: 'refresh' },
    requests: { type: 'string', default: '4000' },
    keep: { type: 'string' },
    callers: { type: 'string' },
  },
});
const run = values.run!;
if (run !== 'refresh' && run !== 'logout') throw new Error(`--run ${run}: expected refresh or logout`);
const n = Number(values.requests);
// A dummy argon2id string: neither run verifies a password.
const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$6r8bnDDpCzS9m0MyhZ0PEwp1qFq8tQ3hGqkAqf0r1dE';

const temp = mkdtempSync(join(tmpdir(), 'pacerpro-instructions-'));
try {
  const secret = randomBytes(48).toString('base64url');
  const database = join(temp, 'bench.db');
  const build = await storeOfBuild(values.bin!);
  const store = await build.openStore(build.loadConfig({ DATABASE_URL: database }));
  // A logout spends its user: enough for the warm-up and the measured requests.
  const users = await seedUsers(store, tokenMinter(secret), {
    prefix: 'u',
    count: run === 'logout' ? 4 * n + 100 : 300,
    passwordHash: HASH,
  });
  await store.close();

  const port = await freePort();
  const logPath = join(temp, 'server.log');
  const log = openSync(logPath, 'a');
  const server = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      ...(values.callers ? [`--separate-callers=${Number(values.callers)}`] : []),
      `--callgrind-out-file=${join(temp, 'callgrind.%p')}`,
      process.execPath,
      values.bin!,
      'serve',
      '--port',
      String(port),
      '--database-url',
      database,
    ],
    {
      env: {
        PATH: process.env.PATH,
        PACERPRO_JWT_SECRET: secret,
        PACERPRO_IP_LOGIN_LIMIT: '0',
        ...(values.keep ? { NODE_OPTIONS: '--perf-basic-prof' } : {}),
      },
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  try {
    await waitUntilAnswering(`http://127.0.0.1:${port}/healthz`, server, logPath, 120_000); // node starts slowly under valgrind
    const requests: RawRequest[] = run === 'refresh' ? refreshRequests(users) : logoutRequests(users).requests;
    const load = async (amount: number) => {
      const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: 10, amount, requests, timeout: 60 });
      if (result['2xx'] !== amount) throw new Error(`${amount - result['2xx']} of ${amount} requests failed`);
    };
    await load(3 * n);
    const control = (...args: string[]) => execFileSync('callgrind_control', [...args, String(server.pid)], { stdio: 'ignore' });
    control('--instr=on');
    await load(n);
    control('--instr=off');
    control('--dump');
    // One file per thread (callgrind.PID.1-TT); thread 01 is the main thread, the event loop.
    const outputs = readdirSync(temp).filter((name) => name.startsWith('callgrind.'));
    const totals = outputs.map((name) => ({
      name,
      total: Number(/^totals: (\d+)/m.exec(readFileSync(join(temp, name), 'utf8'))?.[1] ?? 0),
    }));
    const perRequest = (instructions: number) => `${(instructions / n / 1000).toFixed(0)} k`;
    const main = totals.find((t) => t.name.endsWith('-01'))?.total ?? 0;
    const all = totals.reduce((sum, t) => sum + t.total, 0);
    process.stdout.write(
      `${run}: ${perRequest(main)} instructions per request on the event loop, ${perRequest(all)} in all threads (${n} requests, ${values.bin})\n`,
    );
    if (values.keep) {
      for (const name of outputs) cpSync(join(temp, name), join(values.keep, name));
      const map = `/tmp/perf-${server.pid}.map`;
      if (existsSync(map)) cpSync(map, join(values.keep, `perf-${server.pid}.map`));
    }
  } finally {
    server.kill('SIGKILL');
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
