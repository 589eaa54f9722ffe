import type { LoadResult } from './load.js';

// Two builds measured in one run: this VM's speed drifts by tens of percent within minutes, so two
// runs taken one after the other compare two machines. Both servers stay up and take the same load
// in short alternating rounds, in the order A B B A A B …, so a drift during the run weighs on both
// alike; each build's figure is the median of its rounds.

export type Side = 'this' | 'other';

/** The order of 2 × `rounds` rounds: A B, then B A, then A B, … */
export function roundOrder(rounds: number): Side[] {
  return Array.from({ length: rounds }, (_, i): Side[] => (i % 2 === 0 ? ['this', 'other'] : ['other', 'this'])).flat();
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export type Round = LoadResult & { readonly cpuUs: number };

/** One build's rounds as one result: the median of each figure, and every failure counted. */
export function medianOf(rounds: readonly Round[]): Round {
  const of = (pick: (r: Round) => number) => median(rounds.map(pick));
  const statusCodes: Record<string, number> = {};
  for (const r of rounds) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    rps: of((r) => r.rps),
    seconds: rounds.reduce((sum, r) => sum + r.seconds, 0),
    ok: rounds.reduce((sum, r) => sum + r.ok, 0),
    failed: rounds.reduce((sum, r) => sum + r.failed, 0),
    statusCodes,
    p50: of((r) => r.p50),
    p99: of((r) => r.p99),
    mean: of((r) => r.mean),
    cpuUs: of((r) => r.cpuUs),
  };
}
