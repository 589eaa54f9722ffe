import { parseArgs } from 'node:util';

// npm run bench [-- --quick] [--out FILE] [--only login,refresh,...] [--no-postgres] [--profile DIR]

export const RUNS = ['hash', 'baseline', 'login', 'refresh', 'logout', 'flood', 'timing', 'workers', 'postgres'] as const;
export type RunName = (typeof RUNS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  /** Seconds of load per run, after warmupSeconds of unmeasured load. */
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** Failed logins of each kind in the timing run. */
  readonly timingRounds: number;
  /** Where the Markdown report goes; undefined prints only. */
  readonly out: string | undefined;
  readonly runs: ReadonlySet<RunName>;
  /** Passes --cpu-prof to the servers, writing their profiles here. */
  readonly profileDir: string | undefined;
  /** Another build of the server's bin (an older commit's, say), for before/after comparisons. */
  readonly bin: string | undefined;
  /** A build to measure side by side with this one, in alternating rounds of one run (--vs). */
  readonly vs: string | undefined;
  /** Rounds per build, and seconds per round, of the side-by-side run. */
  readonly vsRounds: number;
  readonly vsSeconds: number;
  /** NODE_OPTIONS for the servers beyond the node flags of `npm start`, e.g. --max-semi-space-size=16. */
  readonly nodeOptions: string | undefined;
  /** Settings for the pacerpro servers beyond the benchmark's own (another configuration). */
  readonly serverEnv: Readonly<Record<string, string>>;
}

export const USAGE = `Usage: npm run bench [-- options]

  --quick             a short run (under a minute) that proves the benchmark works; its numbers are rough
  --out FILE          write the report there (default: BENCHMARKS.md at the repository root for a full
                      run, nothing for --quick)
  --only LIST         only these runs, comma-separated: ${RUNS.join(', ')}
  --no-postgres       skip PostgreSQL even when it answers
  --profile DIR       run the servers with --cpu-prof, writing .cpuprofile files into DIR
  --bin FILE          benchmark another build of pacerpro-auth's bin (e.g. an older commit's)
  --vs FILE           also measure refresh side by side with another build's bin (e.g. the last
                      release's): both servers up at once, in alternating rounds, on SQLite (and on
                      PostgreSQL when the postgres run is on); the ratio of their medians is checked
                      against ≥ 0.90
  --vs-rounds N       rounds per build of the side-by-side run (default 6; 2 with --quick)
  --node-options STR  more NODE_OPTIONS for the servers, after the node flags of npm start (which they get anyway)
  --env NAME=VALUE    a setting for the pacerpro servers, e.g. --env PACERPRO_HASH_CONCURRENCY=2 (repeatable)

Exit status: 0 a valid run; 1 requests failed (the figures of that run are not valid); 3 every
request was answered, but other processes kept more than 0.1 of a core busy during a measured run,
so the figures are disturbed (the report says which run and how much).
`;

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} ${text}: expected a whole number of at least 1`);
  return n;
}

function settingOf(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at < 1) throw new Error(`--env ${text}: expected NAME=VALUE`);
  return [text.slice(0, at), text.slice(at + 1)];
}

export function parseOptions(argv: readonly string[], defaultOut: string): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
      'no-postgres': { type: 'boolean', default: false },
      profile: { type: 'string' },
      bin: { type: 'string' },
      vs: { type: 'string' },
      'vs-rounds': { type: 'string' },
      'node-options': { type: 'string' },
      env: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of only ?? []) {
    if (!(RUNS as readonly string[]).includes(name)) throw new Error(`--only: unknown run "${name}"; the runs are ${RUNS.join(', ')}`);
  }
  const runs = new Set<RunName>((only as RunName[] | undefined) ?? RUNS);
  if (values['no-postgres']) runs.delete('postgres');
  const quick = values.quick!;
  return {
    quick,
    seconds: quick ? 2 : 10,
    warmupSeconds: quick ? 0.5 : 2,
    connections: 50,
    timingRounds: quick ? 10 : 100,
    out: values.out ?? (quick || only ? undefined : defaultOut),
    runs,
    profileDir: values.profile,
    bin: values.bin,
    vs: values.vs,
    vsRounds: values['vs-rounds'] === undefined ? (quick ? 2 : 6) : positiveInteger('--vs-rounds', values['vs-rounds']),
    vsSeconds: quick ? 1 : 4,
    nodeOptions: values['node-options'],
    serverEnv: Object.fromEntries((values.env ?? []).map(settingOf)),
  };
}
