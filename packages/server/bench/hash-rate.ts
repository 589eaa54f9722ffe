import { Algorithm, hash } from '@node-rs/argon2';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Argon2Params } from '../src/auth/passwords.js';

// The raw password-hash rate: argon2id verifications (what a login costs) at the server's
// parameters, `concurrency` of them at once, each on a thread that does nothing but verify, back
// to back, in a process of its own: the hash and nothing else, the most a server could get.

export interface HashRate {
  readonly concurrency: number;
  readonly perSecond: number;
  /** Milliseconds per verification, as one thread sees it. */
  readonly meanMs: number;
}

const PASSWORD = 'correct horse battery staple';

/**
 * One thread's loop, as plain JavaScript (a worker does not get tsx's hooks): a short warm-up (the
 * first 19 MiB blocks' page faults), then verifications back to back for measureMs.
 */
const LANE = `
const { parentPort, workerData } = require('node:worker_threads');
const { verifySync } = require(workerData.argon2);
const { encoded, password, warmupMs, measureMs } = workerData;
const warmupEnd = performance.now() + warmupMs;
while (performance.now() < warmupEnd) verifySync(encoded, password);
const start = performance.now();
let done = 0;
while (performance.now() - start < measureMs) {
  verifySync(encoded, password);
  done++;
}
parentPort.postMessage({ done, busyMs: performance.now() - start });
`;

async function measure(params: Argon2Params, concurrency: number, seconds: number): Promise<HashRate> {
  const encoded = await hash(PASSWORD, { algorithm: Algorithm.Argon2id, ...params });
  const job = {
    argon2: createRequire(import.meta.url).resolve('@node-rs/argon2'),
    encoded,
    password: PASSWORD,
    warmupMs: Math.min(1000, seconds * 200),
    measureMs: seconds * 1000,
  };
  const lanes = await Promise.all(
    Array.from({ length: concurrency }, () => {
      const thread = new Worker(LANE, { eval: true, workerData: job });
      return new Promise<{ done: number; busyMs: number }>((resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
      });
    }),
  );
  const done = lanes.reduce((sum, l) => sum + l.done, 0);
  const busyMs = lanes.reduce((sum, l) => sum + l.busyMs, 0);
  // Each lane ran for seconds; together they did `done` in that time.
  return { concurrency, perSecond: done / seconds, meanMs: busyMs / done };
}

/** Runs the measurement in a child process of its own. */
export function measureHashRate(params: Argon2Params, concurrency: number, seconds: number): Promise<HashRate> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, JSON.stringify({ params, concurrency, seconds })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as HashRate) : reject(new Error(`hash-rate child exited with ${code}`)),
    );
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { params, concurrency, seconds } = JSON.parse(process.argv[2]!) as { params: Argon2Params; concurrency: number; seconds: number };
  process.stdout.write(JSON.stringify(await measure(params, concurrency, seconds)));
}
