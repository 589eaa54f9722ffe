import { Algorithm, hash, verify } from '@node-rs/argon2';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Argon2Params } from '../src/auth/passwords.js';

// The raw password-hash rate: argon2id verifications (what a login costs) at the server's
// parameters, with `concurrency` of them in flight, in a process of its own doing nothing else.
// The libuv pool is sized for it, so the only limit is the CPU.

export interface HashRate {
  readonly concurrency: number;
  readonly perSecond: number;
  /** Milliseconds per verification, as one thread sees it. */
  readonly meanMs: number;
}

async function measure(params: Argon2Params, concurrency: number, seconds: number): Promise<HashRate> {
  const options = { algorithm: Algorithm.Argon2id, ...params };
  const encoded = await hash('correct horse battery staple', options);
  let done = 0;
  let busyMs = 0;
  let measuring = false;
  let stopAt = 0;
  async function lane() {
    while (performance.now() < stopAt) {
      const start = performance.now();
      await verify(encoded, 'correct horse battery staple');
      if (measuring) {
        done++;
        busyMs += performance.now() - start;
      }
    }
  }
  // A short warm-up first (page faults of the first 19 MiB blocks), then the measured period.
  stopAt = performance.now() + Math.min(1000, seconds * 200);
  await Promise.all(Array.from({ length: concurrency }, lane));
  measuring = true;
  const start = performance.now();
  stopAt = start + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = (performance.now() - start) / 1000;
  return { concurrency, perSecond: done / elapsed, meanMs: busyMs / done };
}

/** Runs the measurement in a child process with a libuv pool of at least `concurrency` threads. */
export function measureHashRate(params: Argon2Params, concurrency: number, seconds: number): Promise<HashRate> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, JSON.stringify({ params, concurrency, seconds })], {
    env: { ...process.env, UV_THREADPOOL_SIZE: String(Math.max(4, concurrency)) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as HashRate) : reject(new Error(`hash-rate child exited with ${code}`))));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { params, concurrency, seconds } = JSON.parse(process.argv[2]!) as { params: Argon2Params; concurrency: number; seconds: number };
  process.stdout.write(JSON.stringify(await measure(params, concurrency, seconds)));
}
