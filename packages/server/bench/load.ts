import autocannon, { type RawRequest } from 'autocannon';

// One load run: autocannon (programmatic) at N connections for S seconds. Latencies are kept here,
// from autocannon's per-response timings, because its own histogram rounds to whole milliseconds —
// too coarse next to a sub-millisecond baseline.

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  /**
   * Requests each connection cycles through; a request with setupRequest is built anew each
   * time (a token used once), the others once.
   */
  readonly requests: RawRequest[];
  /** Stop after this many requests, even before `seconds` (a logout run whose users are spent). */
  readonly maxRequests?: number;
}

export interface LoadResult {
  /** 2xx answers per second of the time the run took. */
  readonly rps: number;
  /** How long the run took: `seconds`, or less when `maxRequests` ended it. */
  readonly seconds: number;
  readonly ok: number;
  /** Answers that were not 2xx, and connection errors/timeouts: a valid run has none. */
  readonly failed: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Milliseconds, of 2xx answers. */
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
}

class Samples {
  private values = new Float64Array(1 << 16);
  private length = 0;
  add(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  summary(): { p50: number; p99: number; mean: number } {
    const sorted = this.values.subarray(0, this.length).sort();
    if (sorted.length === 0) return { p50: NaN, p99: NaN, mean: NaN };
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    let sum = 0;
    for (const v of sorted) sum += v;
    return { p50: at(0.5), p99: at(0.99), mean: sum / sorted.length };
  }
}

export async function runLoad({ url, connections, seconds, requests, maxRequests }: LoadSpec): Promise<LoadResult> {
  // autocannon spreads the limit over the connections, and reads 0 as "no limit".
  if (maxRequests !== undefined && maxRequests < connections) {
    throw new Error(`only ${maxRequests} requests may be sent, fewer than the ${connections} connections: seed more users`);
  }
  const latencies = new Samples();
  const limit = maxRequests === undefined ? {} : { maxOverallRequests: maxRequests };
  const instance = autocannon({ url, connections, duration: seconds, timeout: 10, requests, ...limit });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.add(responseTime);
  });
  const result = await instance;
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  return {
    rps: result['2xx'] / result.duration,
    seconds: result.duration,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    statusCodes,
    ...latencies.summary(),
  };
}

/** Several runs at the same time (a login flood beside refreshes). */
export function runLoadsTogether<T extends Record<string, LoadSpec>>(specs: T): Promise<{ [K in keyof T]: LoadResult }> {
  const entries = Object.entries(specs).map(async ([name, spec]) => [name, await runLoad(spec)] as const);
  return Promise.all(entries).then((done) => Object.fromEntries(done) as { [K in keyof T]: LoadResult });
}
