import type { TimingSummary } from './login-timing.js';
import type { Machine } from './machine.js';

// One table of every run, each figure beside its ratio to the bare-Fastify baseline of the same
// run; the targets of issue 6 checked against it; printed, and written as BENCHMARKS.md.

export interface Row {
  readonly name: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Peak RSS of the server process(es) by the end of this run, MiB. */
  readonly peakRssMiB: number | undefined;
  /** CPU time (user + system) of the server's processes per answer, microseconds. */
  readonly cpuUs: number | undefined;
  /** Non-2xx answers or errors: a run with any is not a valid measurement. */
  readonly failed: number;
}

export interface Target {
  readonly what: string;
  readonly required: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface Report {
  readonly command: string;
  readonly date: string;
  readonly machine: Machine;
  readonly settings: readonly string[];
  readonly rows: readonly Row[];
  readonly targets: readonly Target[];
  readonly timing: readonly TimingSummary[];
  readonly facts: readonly string[];
  /** Hand-written analysis kept beside the benchmark (bench/NOTES.md). */
  readonly notes: string;
}

const fixed = (n: number | undefined, digits: number) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));
const ratio = (n: number | undefined, base: number | undefined) =>
  n === undefined || base === undefined || base === 0 ? '–' : `${(n / base).toFixed(2)}×`;

function tableCells(rows: readonly Row[]): string[][] {
  const base = rows[0]!;
  return rows.map((r) => [
    r.name + (r.failed > 0 ? ` (${r.failed} failed!)` : ''),
    fixed(r.rps, 0),
    ratio(r.rps, base.rps),
    fixed(r.p50, 2),
    ratio(r.p50, base.p50),
    fixed(r.p99, 2),
    ratio(r.p99, base.p99),
    fixed(r.peakRssMiB, 0),
    ratio(r.peakRssMiB, base.peakRssMiB),
    fixed(r.cpuUs, 0),
  ]);
}

const HEADERS = ['run', 'req/s', '× base', 'p50 ms', '× base', 'p99 ms', '× base', 'peak RSS MiB', '× base', 'CPU µs/req'];

export function textTable(rows: readonly Row[]): string {
  const cells = [HEADERS, ...tableCells(rows)];
  const widths = HEADERS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}

function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function targetLines(targets: readonly Target[]): string[] {
  return targets.map((t) => `${t.met ? 'met    ' : 'NOT MET'}  ${t.what}: ${t.measured} (target ${t.required})`);
}

export function markdown(report: Report): string {
  const { machine } = report;
  return `# Benchmarks

Written by \`${report.command}\` on ${report.date}. Every figure comes from one run of that command;
ratios compare with the bare-Fastify baseline measured in the same run, on the same machine, by
the same load generator (autocannon, in the benchmark's own process, on the same cores).

## Machine

- CPU: ${machine.cpu}, ${machine.cores} cores
- Memory: ${machine.memoryGiB.toFixed(1)} GiB
- ${Object.entries(machine.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')}

## Settings

${report.settings.map((s) => `- ${s}`).join('\n')}

## Results

${markdownTable(HEADERS, tableCells(report.rows))}

${report.facts.map((f) => `- ${f}`).join('\n')}

## Targets (issue 6)

${markdownTable(
  ['target', 'required', 'measured', ''],
  report.targets.map((t) => [t.what, t.required, t.measured, t.met ? 'met' : '**not met**']),
)}

## Failed logins by kind (timing)

One request at a time, the three kinds interleaved. All answer the same 401; the times should not
tell them apart.

${markdownTable(
  ['failed login', 'samples', 'mean ms', 'p50 ms', 'p99 ms', 'answers'],
  report.timing.map((t) => [t.case, String(t.samples), fixed(t.mean, 2), fixed(t.p50, 2), fixed(t.p99, 2), t.statuses.join(', ')]),
)}

${report.notes.trim()}
`;
}
