import { randomUUID } from 'node:crypto';
import { BENCH_PASSWORD } from './fixtures.js';

// Can an attacker tell, by timing alone, whether an e-mail has an account (or a locked one)?
// Failed logins of three kinds, one request at a time, interleaved so that any drift of the
// machine hits all three alike: an unknown e-mail, a wrong password, a locked account.

const WARM_UP_ROUNDS = 10;

export type TimingCase = 'unknown e-mail' | 'wrong password' | 'locked account';

export interface TimingSummary {
  readonly case: TimingCase;
  readonly samples: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  /** Every answer was the same 401 (anything else would make timing moot). */
  readonly statuses: readonly number[];
}

async function attempt(url: string, email: string, password: string): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  const response = await fetch(`${url}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  await response.arrayBuffer();
  return { ms: performance.now() - start, status: response.status };
}

function summarize(name: TimingCase, samples: { ms: number; status: number }[]): TimingSummary {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    case: name,
    samples: sorted.length,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    statuses: [...new Set(samples.map((s) => s.status))],
  };
}

/**
 * `existing` and `locked` are e-mails of real users (the locked ones locked); each is tried at
 * most rounds / length times, which must stay under the server's failure threshold.
 */
export async function measureLoginTiming(
  url: string,
  { existing, locked, rounds }: { existing: readonly string[]; locked: readonly string[]; rounds: number },
): Promise<TimingSummary[]> {
  const results: Record<TimingCase, { ms: number; status: number }[]> = {
    'unknown e-mail': [],
    'wrong password': [],
    'locked account': [],
  };
  const wrong = `${BENCH_PASSWORD} but wrong`;
  // The first rounds warm up and are not kept: until the code of each path is compiled, a request
  // may take 30-60 ms, whichever kind it is (the first unknown e-mail, say, runs code no earlier run did).
  for (let i = -WARM_UP_ROUNDS; i < rounds; i++) {
    // The order within a round rotates too, so no case always follows the same one.
    const tries: [TimingCase, () => Promise<{ ms: number; status: number }>][] = [
      ['unknown e-mail', () => attempt(url, `nobody-${randomUUID()}@bench.test`, wrong)],
      ['wrong password', () => attempt(url, existing[(i + WARM_UP_ROUNDS) % existing.length]!, wrong)],
      ['locked account', () => attempt(url, locked[(i + WARM_UP_ROUNDS) % locked.length]!, BENCH_PASSWORD)],
    ];
    for (let k = 0; k < tries.length; k++) {
      const [name, run] = tries[(i + WARM_UP_ROUNDS + k) % tries.length]!;
      const sample = await run();
      if (i >= 0) results[name].push(sample);
    }
  }
  return (Object.keys(results) as TimingCase[]).map((name) => summarize(name, results[name]));
}
