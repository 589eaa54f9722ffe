import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { argon2ParamsFrom, createPasswordHasher } from '../src/auth/passwords.js';
import { loadConfig } from '../src/config.js';
import type { Store } from '../src/store/store.js';
import { storeOfBuild } from './build-under-test.js';
import { BENCH_PASSWORD, seedUsers, tokenMinter, type SeededUser } from './fixtures.js';
import { watchOtherCpu } from './cpu-share.js';
import { measureHashRate } from './hash-rate.js';
import { runLoad, runLoadsTogether, type LoadResult, type LoadSpec } from './load.js';
import { measureLoginTiming, type TimingSummary } from './login-timing.js';
import { describeMachine } from './machine.js';
import { parseOptions, type RunName } from './options.js';
import { freshSchema, postgresVersion } from './postgres.js';
import { freePort, startProcess, type BenchProcess } from './processes.js';
import { loginRequests, logoutRequests, refreshRequests } from './requests.js';
import { markdown, targetLines, textTable, type Row, type Target } from './report.js';
import { medianOf, roundOrder, type Round, type Side } from './side-by-side.js';

// npm run bench: the real server (a child process, the built bin, default settings and log level)
// against a bare Fastify route, both driven by autocannon from this process; see bench/NOTES.md.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BASELINE = fileURLToPath(new URL('./baseline-server.mjs', import.meta.url));
const FLOOR = fileURLToPath(new URL('./floor-server.mjs', import.meta.url));
const NOTES = fileURLToPath(new URL('./NOTES.md', import.meta.url));

const options = parseOptions(process.argv.slice(2), join(ROOT, 'BENCHMARKS.md'));
const BIN = options.bin ?? join(ROOT, 'packages/server/bin/pacerpro-auth.js');
const build = await storeOfBuild(BIN);
const say = (line: string) => process.stderr.write(`${line}\n`);
const wanted = (run: RunName) => options.runs.has(run);

/**
 * The node flags of `npm start` (the README's way to run the server), so the benchmark starts the
 * servers as the quick start does; --node-options comes after them and wins.
 */
function startNodeFlags(): string {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return (/^node((?: --\S+)*) /.exec(scripts.start)?.[1] ?? '').trim();
}
const START_FLAGS = startNodeFlags();
const nodeOptions = [START_FLAGS, options.nodeOptions].filter(Boolean).join(' ');

// The defaults a deployment gets (unless --env says otherwise): the benchmark measures those, not a
// tuned configuration.
const defaults = loadConfig(options.serverEnv);
const argon2 = argon2ParamsFrom(defaults);
const hashConcurrency = defaults.hashConcurrency;
const cores = availableParallelism();

const temp = mkdtempSync(join(tmpdir(), 'pacerpro-bench-'));
const secret = randomBytes(48).toString('base64url');
const tokens = tokenMinter(secret);
// Clean: nothing from the caller's environment changes what is measured. LOG_LEVEL is left at
// its default (info), as a deployment runs. Per-IP limits are off (every connection is 127.0.0.1)
// and the per-e-mail threshold is high: the floods repeat the same few hundred e-mails.
const serverEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  PACERPRO_JWT_SECRET: secret,
  PACERPRO_IP_LOGIN_LIMIT: '0',
  PACERPRO_LOGIN_MAX_FAILURES: '1000',
  ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  ...options.serverEnv,
};

const rows: Row[] = [];
/** Cores other processes may keep busy during a measured run before its figures count as disturbed. */
const BUSY_CORES = 0.1;
/** The exit status of a run whose figures a busy machine disturbed (requests all answered). */
const EXIT_DISTURBED = 3;
const targets: Target[] = [];
const facts: string[] = [];
let timing: TimingSummary[] = [];

/** A load result with the server's CPU time per answer during it (microseconds). */
type Measured = LoadResult & { readonly cpuUs?: number; readonly otherCores?: number };

function row(name: string, result: Measured, server: BenchProcess | undefined): Row {
  const peakRssMiB = server?.peakRssMiB().largest;
  const made: Row = { name, rps: result.rps, p50: result.p50, p99: result.p99, peakRssMiB, cpuUs: result.cpuUs, failed: result.failed };
  rows.push(made);
  if (result.otherCores !== undefined) interference.push({ run: name, cores: result.otherCores });
  const failed = result.failed > 0 ? `, ${result.failed} FAILED ${JSON.stringify(result.statusCodes)}` : '';
  say(`  ${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms${failed}`);
  return made;
}

/**
 * A warm-up of the same load (not measured), then the measured run, and the server's CPU per answer
 * during it. `left` bounds each run by the requests that can still be sent (a logout pool).
 */
async function measure(
  server: BenchProcess,
  spec: Omit<LoadSpec, 'url' | 'seconds' | 'maxRequests'>,
  left?: () => number,
): Promise<Measured> {
  await runLoad({ ...spec, url: server.url, seconds: options.warmupSeconds, ...(left && { maxRequests: left() }) });
  const cpuBefore = server.cpuSeconds();
  const others = watchOtherCpu(server);
  const result = await runLoad({ ...spec, url: server.url, seconds: options.seconds, ...(left && { maxRequests: left() }) });
  return { ...result, cpuUs: ((server.cpuSeconds() - cpuBefore) * 1e6) / (result.ok + result.failed), otherCores: others.stop() };
}

/** Cores other processes kept busy during each measured run (PostgreSQL's own among them, for its row). */
const interference: { run: string; cores: number }[] = [];

function target(what: string, required: string, measured: string, met: boolean): void {
  targets.push({ what, required, measured, met });
}

async function startPacerpro(label: string, databaseUrl: string, extraArgs: string[] = [], bin = BIN): Promise<BenchProcess> {
  const port = await freePort();
  const profile = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  return startProcess({
    args: [...profile, bin, 'serve', '--port', String(port), '--database-url', databaseUrl, ...extraArgs],
    env: serverEnv,
    port,
    readyPath: '/healthz',
    logPath: join(temp, `${label}.log`),
  });
}

async function stopChecked(server: BenchProcess, label: string): Promise<void> {
  const code = await server.stop();
  if (code !== 0) say(`  warning: the ${label} server exited with ${code}:\n${server.log()}`);
}

/** The seeded users' password hash, made once: every database of the run gets the same one. */
let passwordHashOnce: Promise<string> | undefined;
const benchPasswordHash = () => (passwordHashOnce ??= createPasswordHasher(argon2).then((hasher) => hasher.hash(BENCH_PASSWORD)));

const connections = options.connections;
let baseline: Row | undefined;
let floor: Row | undefined;
let refreshAlone: Row | undefined;
/** "refresh 0.84×", …: the runs the throughput targets judge, as fractions of the floor of the same run. */
const ofFloor: string[] = [];
function noteOfFloor(name: string, made: Row): void {
  if (floor) ofFloor.push(`${name} ${(made.rps / floor.rps).toFixed(2)}×`);
}

const hashSeconds = options.quick ? 1 : 4;

/** The raw rate on every core: what the machine can hash at most. */
async function hashRates(): Promise<void> {
  say(`argon2id at m=${argon2.memoryCost} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}`);
  const everyCore = await measureHashRate(argon2, cores, hashSeconds);
  facts.push(
    `Raw argon2id rate (verifications, m=${argon2.memoryCost} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}, @node-rs/argon2): ` +
      `${everyCore.perSecond.toFixed(0)}/s on all ${cores} cores (${everyCore.meanMs.toFixed(1)} ms each).`,
  );
  say(`  every core (${cores}): ${everyCore.perSecond.toFixed(0)}/s`);
}

/**
 * Login throughput against the raw rate at the server's hashing concurrency, the raw rate measured
 * right before and right after the login run: this VM's speed drifts by 10-20% within a minute,
 * so a raw rate taken at the start of the benchmark compared logins with another machine.
 */
async function loginRun(server: BenchProcess, users: readonly SeededUser[]): Promise<void> {
  const before = await measureHashRate(argon2, hashConcurrency, hashSeconds);
  const login = row('login (POST /v1/session)', await measure(server, { connections, requests: loginRequests(users) }), server);
  const after = await measureHashRate(argon2, hashConcurrency, hashSeconds);
  const raw = (before.perSecond + after.perSecond) / 2;
  const fraction = login.rps / raw;
  const atConcurrency = `at the server's ${hashConcurrency} concurrent ${hashConcurrency === 1 ? 'hash' : 'hashes'}`;
  say(`  raw rate ${atConcurrency}: ${before.perSecond.toFixed(0)}/s before, ${after.perSecond.toFixed(0)}/s after`);
  facts.push(
    `Login ran at ${fraction.toFixed(2)}× the raw rate ${atConcurrency}, ` +
      `measured just before (${before.perSecond.toFixed(0)}/s) and after (${after.perSecond.toFixed(0)}/s) the login run.`,
  );
  target(`login vs raw hash rate ${atConcurrency}`, '≥ 0.90', fraction.toFixed(2), fraction >= 0.9);
}

async function baselineRun(): Promise<void> {
  say('baseline: bare Fastify, GET / answering constant JSON');
  const port = await freePort();
  const server = await startProcess({
    args: [BASELINE, String(port)],
    env: { PATH: process.env.PATH },
    port,
    readyPath: '/',
    logPath: join(temp, 'baseline.log'),
  });
  try {
    baseline = row(
      'baseline: bare Fastify GET (constant JSON)',
      await measure(server, { connections, requests: [{ method: 'GET', path: '/' }] }),
      server,
    );
  } finally {
    await stopChecked(server, 'baseline');
  }
}

/** Login, refresh, logout, the flood and the timing run: one server process, so its peak RSS covers them all. */
async function sqliteRuns(): Promise<void> {
  const databasePath = join(temp, 'sqlite', 'pacerpro.db');
  mkdirSync(join(temp, 'sqlite'));
  const store = await build.openStore(build.loadConfig({ DATABASE_URL: databasePath }));
  const passwordHash = await benchPasswordHash();
  const users = await seedUsers(store, tokens, { prefix: 'user', count: 200, passwordHash });
  const locked = await seedUsers(store, tokens, { prefix: 'locked', count: 20, passwordHash });
  for (const user of locked) await store.users.setLocked(user.id, true);

  if (wanted('refresh')) await floorRun(databasePath, users);

  say('SQLite: one server process (serve, default settings)');
  const server = await startPacerpro('sqlite', databasePath);
  try {
    if (wanted('login')) await loginRun(server, users);
    if (wanted('refresh') || wanted('flood') || wanted('workers')) {
      refreshAlone = row('refresh (GET /v1/session)', await measure(server, { connections, requests: refreshRequests(users) }), server);
      if (baseline)
        target('refresh vs baseline', '≥ 0.50', (refreshAlone.rps / baseline.rps).toFixed(2), refreshAlone.rps / baseline.rps >= 0.5);
      noteOfFloor('refresh', refreshAlone);
    }
    if (wanted('logout')) await logoutRun(server, store, passwordHash);
    if (wanted('flood')) await floodRun(server, users);
    if (wanted('timing')) {
      say('  failed logins by kind, one at a time');
      timing = await measureLoginTiming(server.url, {
        existing: users.map((u) => u.email),
        locked: locked.map((u) => u.email),
        rounds: options.timingRounds,
      });
      for (const t of timing)
        say(`  ${t.case}: mean ${t.mean.toFixed(2)} ms, p50 ${t.p50.toFixed(2)}, p99 ${t.p99.toFixed(2)} (${t.statuses.join(', ')})`);
    }
    const peak = server.peakRssMiB().largest;
    target('peak RSS of the server process over all its runs', '≤ 150 MiB', `${peak.toFixed(0)} MiB`, peak <= 150);
  } finally {
    await stopChecked(server, 'SQLite');
    await store.close();
  }
  if (wanted('workers') && refreshAlone) await workersRun(databasePath, users, refreshAlone);
}

/** The least a refresh can do (floor-server.mjs), on the same database and tokens. */
async function floorRun(databasePath: string, users: readonly SeededUser[]): Promise<void> {
  say('floor: bare Fastify refresh (HMAC verify, one SQLite read, HMAC sign; no log, audit or metrics)');
  const port = await freePort();
  const server = await startProcess({
    args: [FLOOR, String(port), databasePath],
    env: { PATH: process.env.PATH, PACERPRO_JWT_SECRET: secret },
    port,
    readyPath: '/healthz',
    logPath: join(temp, 'floor.log'),
  });
  try {
    floor = row(
      'floor: the least a refresh can do (see floor-server.mjs)',
      await measure(server, { connections, requests: refreshRequests(users) }),
      server,
    );
  } finally {
    await stopChecked(server, 'floor');
  }
}

async function logoutRun(server: BenchProcess, store: Store, passwordHash: string): Promise<void> {
  // Each logout spends a user's jti, so each takes a user of its own: enough for half as many again
  // as the refresh rate just measured (a logout writes, but signs no token, and may well be faster).
  const expected = (refreshAlone?.rps ?? 20_000) * (options.warmupSeconds + options.seconds);
  const size = Math.ceil(expected * 1.5);
  say(`  seeding ${size} users for the logout run`);
  const pool = await seedUsers(store, tokens, { prefix: 'logout', count: size, passwordHash });
  const logout = logoutRequests(pool);
  const result = await measure(server, { connections, requests: logout.requests }, () => logout.left(connections));
  const made = row('logout (DELETE /v1/session, a new jti each)', result, server);
  const cut =
    result.seconds < options.seconds - 0.5 ? `; the pool was spent after ${result.seconds.toFixed(1)} s of the ${options.seconds} s` : '';
  facts.push(
    `Logout: ${pool.length} users seeded; the measured run logged out ${result.ok} (each a real jti rotation)` +
      `${result.failed > 0 ? ` and ${result.failed} failed` : ''}${cut}.`,
  );
  if (baseline) target('logout vs baseline', '≥ 0.35', (made.rps / baseline.rps).toFixed(2), made.rps / baseline.rps >= 0.35);
  noteOfFloor('logout', made);
}

async function floodRun(server: BenchProcess, users: readonly SeededUser[]): Promise<void> {
  const specs = {
    refresh: { url: server.url, connections, requests: refreshRequests(users) },
    login: { url: server.url, connections: 10, requests: loginRequests(users) },
  };
  await runLoadsTogether({
    refresh: { ...specs.refresh, seconds: options.warmupSeconds },
    login: { ...specs.login, seconds: options.warmupSeconds },
  });
  const others = watchOtherCpu(server);
  const flood = await runLoadsTogether({
    refresh: { ...specs.refresh, seconds: options.seconds },
    login: { ...specs.login, seconds: options.seconds },
  });
  const refresh = row(
    `refresh under a login flood (${connections} + 10 login connections)`,
    { ...flood.refresh, otherCores: others.stop() },
    server,
  );
  row("  the flood's logins (10 connections)", flood.login, server);
  target('refresh p99 under the login flood', '≤ 20 ms', `${refresh.p99.toFixed(1)} ms`, refresh.p99 <= 20);
  if (refreshAlone) {
    const kept = refresh.rps / refreshAlone.rps;
    target('refresh throughput under the flood vs refresh alone', '≥ 0.30', kept.toFixed(2), kept >= 0.3);
  }
}

async function workersRun(databasePath: string, users: readonly SeededUser[], single: Row): Promise<void> {
  say('SQLite: serve --workers 2');
  const server = await startPacerpro('workers', databasePath, ['--workers', '2']);
  try {
    const made = row('refresh, serve --workers 2', await measure(server, { connections, requests: refreshRequests(users) }), server);
    const rss = server.peakRssMiB();
    facts.push(
      `serve --workers 2: refresh ${(made.rps / single.rps).toFixed(2)}× one process; peak RSS ${rss.total.toFixed(0)} MiB over ` +
        `its ${rss.processes} processes (primary and workers; the table shows the largest).`,
    );
  } finally {
    await stopChecked(server, 'workers');
  }
}

async function postgresRun(): Promise<void> {
  const schema = await freshSchema();
  say('PostgreSQL: one server process, a fresh schema');
  const store = await build.openStore(build.loadConfig({ DATABASE_URL: schema.url }));
  try {
    const passwordHash = await benchPasswordHash();
    const users = await seedUsers(store, tokens, { prefix: 'user', count: 200, passwordHash });
    const server = await startPacerpro('postgres', schema.url);
    try {
      const made = row('refresh, PostgreSQL', await measure(server, { connections, requests: refreshRequests(users) }), server);
      if (baseline)
        target('PostgreSQL refresh vs baseline', '≥ 0.30', (made.rps / baseline.rps).toFixed(2), made.rps / baseline.rps >= 0.3);
      noteOfFloor('PostgreSQL refresh', made);
    } finally {
      await stopChecked(server, 'PostgreSQL');
    }
  } finally {
    await store.close();
    await schema.drop();
  }
}

/** Waits (at most 3 s) until the server uses less than a twentieth of a core over 100 ms. */
async function untilQuiet(server: BenchProcess): Promise<void> {
  for (let waited = 0; waited < 3000; waited += 100) {
    const before = server.cpuSeconds();
    await sleep(100);
    if (server.cpuSeconds() - before < 0.005) return;
  }
}

/** A database for one build of the side-by-side run: its URL, and dropping it afterwards. */
interface SideDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * Refresh on this build and on --vs's, both servers up at once, in alternating rounds
 * (side-by-side.ts); each build seeds its own database through its own store.
 */
async function sideBySideRun(vs: string, label: string, database: (side: Side) => Promise<SideDatabase>): Promise<void> {
  say(`${label}: refresh side by side with ${vs}, ${options.vsRounds} rounds of ${options.vsSeconds} s each`);
  const passwordHash = await benchPasswordHash();
  const builds = { this: { bin: BIN, build }, other: { bin: vs, build: await storeOfBuild(vs) } };
  const sides: Partial<Record<Side, { server: BenchProcess; users: SeededUser[]; drop(): Promise<void>; rounds: Round[] }>> = {};
  try {
    for (const side of ['this', 'other'] as const) {
      const db = await database(side);
      const store = await builds[side].build.openStore(builds[side].build.loadConfig({ DATABASE_URL: db.url }));
      const users = await seedUsers(store, tokens, { prefix: 'user', count: 200, passwordHash }).finally(() => store.close());
      const server = await startPacerpro(`${label}-${side}`, db.url, [], builds[side].bin);
      sides[side] = { server, users, drop: db.drop, rounds: [] };
      await runLoad({ url: server.url, connections, requests: refreshRequests(users), seconds: options.warmupSeconds });
    }
    for (const side of roundOrder(options.vsRounds)) {
      const { server, users, rounds } = sides[side]!;
      const cpuBefore = server.cpuSeconds();
      const others = watchOtherCpu(server); // the idle server of the other build counts among them
      const result = await runLoad({ url: server.url, connections, requests: refreshRequests(users), seconds: options.vsSeconds });
      interference.push({ run: `${label} side by side, ${side} build`, cores: others.stop() });
      // Work a build leaves behind (an audit batch written after the load stopped) is its own: it
      // counts in its round's CPU, and the next round begins once the server is quiet.
      await untilQuiet(server);
      rounds.push({ ...result, cpuUs: ((server.cpuSeconds() - cpuBefore) * 1e6) / (result.ok + result.failed) });
    }
    const mine = row(
      `refresh, ${label}, this build (median of ${options.vsRounds} rounds)`,
      medianOf(sides.this!.rounds),
      sides.this!.server,
    );
    const theirs = row(
      `refresh, ${label}, --vs build (median of ${options.vsRounds} rounds)`,
      medianOf(sides.other!.rounds),
      sides.other!.server,
    );
    const perRound = (side: Side) => sides[side]!.rounds.map((r) => r.rps.toFixed(0)).join(', ');
    facts.push(`Side by side on ${label}, refreshes a second per round: this build ${perRound('this')}; ${vs}: ${perRound('other')}.`);
    const ratio = mine.rps / theirs.rps;
    target(`refresh on ${label} vs the --vs build, side by side`, '≥ 0.90', ratio.toFixed(2), ratio >= 0.9);
  } finally {
    for (const side of ['this', 'other'] as const) {
      const made = sides[side];
      if (!made) continue;
      await stopChecked(made.server, `${label} ${side}`);
      await made.drop();
    }
  }
}

async function sideBySideRuns(vs: string, pgVersion: string | undefined): Promise<void> {
  await sideBySideRun(vs, 'SQLite', async (side) => {
    mkdirSync(join(temp, `vs-${side}`));
    return { url: join(temp, `vs-${side}`, 'pacerpro.db'), drop: async () => {} };
  });
  if (pgVersion) await sideBySideRun(vs, 'PostgreSQL', () => freshSchema()); // with the postgres run only
}

async function main(): Promise<void> {
  const started = Date.now();
  // Other work on the machine skews every figure: say how busy it was when the run began.
  const [load1, load5] = loadavg();
  facts.push(`Load average when the run began: ${load1!.toFixed(2)} (1 min), ${load5!.toFixed(2)} (5 min).`);
  const pgVersion = wanted('postgres') ? await postgresVersion() : undefined;
  const machine = describeMachine(pgVersion);
  say(`${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB; node ${process.version}`);
  if (wanted('hash')) await hashRates();
  await baselineRun(); // every ratio needs it
  if (['login', 'refresh', 'logout', 'flood', 'timing', 'workers'].some((r) => wanted(r as RunName))) await sqliteRuns();
  if (wanted('postgres')) {
    if (pgVersion) await postgresRun();
    else facts.push('PostgreSQL did not answer at the benchmark URL: its run was skipped.');
  }
  if (options.vs) await sideBySideRuns(options.vs, pgVersion);

  if (floor && baseline && ofFloor.length > 0) {
    facts.push(
      `The floor reached ${(floor.rps / baseline.rps).toFixed(2)}× the baseline in this run; against the floor: ${ofFloor.join(', ')} (see the notes).`,
    );
  }
  // PostgreSQL's own processes are part of its run, not a disturbance.
  const postgresShares = interference.filter((i) => i.run.includes('PostgreSQL'));
  if (postgresShares.length > 0) {
    const most = Math.max(...postgresShares.map((i) => i.cores));
    facts.push(`During the PostgreSQL runs, PostgreSQL itself (and anything else) kept up to ${most.toFixed(2)} cores busy.`);
  }
  const worst = interference
    .filter((i) => !postgresShares.includes(i))
    .reduce((a, b) => (b.cores > a.cores ? b : a), { run: 'none', cores: 0 });
  facts.push(
    `Other processes kept ${worst.cores.toFixed(2)} cores busy at most during a measured run (${worst.run})` +
      (worst.cores > BUSY_CORES ? ': the machine was not quiet, so the figures are disturbed.' : '.'),
  );
  if (worst.cores > BUSY_CORES) say(`warning: other processes used ${worst.cores.toFixed(2)} cores during "${worst.run}"`);
  const failedRows = rows.filter((r) => r.failed > 0);
  for (const r of failedRows) say(`error: ${r.failed} requests failed in "${r.name}": the figures of that run are not valid`);

  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  facts.push(`The whole benchmark took ${seconds} s.`);
  process.stdout.write(`\n${textTable(rows)}\n\n${targetLines(targets).join('\n')}\n\n${facts.join('\n')}\n`);
  if (options.out) {
    const settings = [
      `${connections} connections per run, ${options.seconds} s measured after ${options.warmupSeconds} s of warm-up${options.quick ? ' (--quick: rough numbers)' : ''}.`,
      `Servers: \`npm start\`'s command (\`node ${START_FLAGS ? `${START_FLAGS} ` : ''}packages/server/bin/pacerpro-auth.js serve\`) as child processes with default settings (LOG_LEVEL info, hashing concurrency ${hashConcurrency}), ` +
        "except PACERPRO_IP_LOGIN_LIMIT=0 and PACERPRO_LOGIN_MAX_FAILURES=1000 (every request comes from 127.0.0.1 with a few hundred e-mails) and a fixed PACERPRO_JWT_SECRET (the benchmark mints its users' tokens).",
      "Logs go to a file, as a deployment's collector would take them. Latencies are of 2xx answers, measured by the load generator.",
      "Peak RSS is the kernel's VmHWM of the server process by the end of that run: the SQLite rows share one process, so theirs only grows.",
    ];
    const notes = readFileSync(NOTES, 'utf8');
    writeFileSync(
      options.out,
      markdown({ command, date: new Date().toISOString().slice(0, 10), machine, settings, rows, targets, timing, facts, notes }),
    );
    say(`wrote ${options.out}`);
  }
  // The exit status tells a script what the report says: failed requests are a broken run (1), a
  // busy machine a run whose figures mean little (3), so neither passes for a good one.
  process.exitCode = failedRows.length > 0 ? 1 : worst.cores > BUSY_CORES ? EXIT_DISTURBED : 0;
}

try {
  await main();
} finally {
  rmSync(temp, { recursive: true, force: true });
}
