import { Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { deviseBcryptInput, isBcryptHash } from './devise-bcrypt.js';
import type { HashThread, HashThreadData, Timed } from './hash-thread-protocol.js';

// Password hashing with argon2id, so a login never blocks the event loop that serves refreshes.
// This one unit owns the queue, the threads, the timing and the messages to the threads.
//
// The bound: at most `concurrency` hashes run at once; further logins wait their turn, in order.
// Without it a login flood starts every hash at once: each holds 19 MiB or more while the cores
// time-slice between them, so every login slows down together and memory grows with the flood.
//
// The threads are our own (workers/password-hasher.js, a Piscina pool), one hash at a time each,
// not libuv's pool through the bindings' async calls. Measured under a login flood
// (bench/NOTES.md): on libuv's pool each hash went to whichever of its four threads woke first,
// and the kernel often woke that thread on the event loop's core, where one preempted the other:
// the event loop stalled on one login in ten, and the hash waited for a core part of its time. A
// thread that stays ours keeps its core and its warm memory, and logins went faster.
//
// A thread starts when a hash first needs it, so a CLI run that hashes once starts one; an idle
// thread never keeps the process alive, so that run ends when its work does. A thread that dies
// fails only the job it was doing; another takes its place for the jobs waiting.

const SCRIPT = fileURLToPath(new URL('../../workers/password-hasher.js', import.meta.url));

export interface Argon2Params {
  /** KiB */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP's recommended minimum for argon2id: 19 MiB, 2 iterations, 1 lane. */
export const OWASP_ARGON2ID: Argon2Params = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash it cannot read; never throws on bad input. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** True when the hash is weaker than (or other than) the configured argon2id parameters; never while attached to Devise. */
  needsRehash(passwordHash: string): boolean;
  /**
   * Spends one verification on a hash nobody's password matches: for unknown e-mails, so that a
   * miss costs what a wrong password costs and timing tells nothing about who has an account.
   */
  verifyDummy(password: string): Promise<false>;
}

export const HASH_OPERATIONS = ['hash', 'verify', 'verifyDummy'] as const;
export type HashOperation = (typeof HASH_OPERATIONS)[number];

/** Told the thread's own time for each hash or verification (never the wait for a turn), e.g. for metrics. */
export type HashObserver = (operation: HashOperation, seconds: number) => void;

const ARGON2ID_PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/** The argon2id parameters a Config asks for (never below OWASP's minimum: config.ts bounds them). */
export function argon2ParamsFrom(config: {
  readonly argon2MemoryKib: number;
  readonly argon2Iterations: number;
  readonly argon2Parallelism: number;
}): Argon2Params {
  return { memoryCost: config.argon2MemoryKib, timeCost: config.argon2Iterations, parallelism: config.argon2Parallelism };
}

/** The hashing options a Config asks for: Devise's bcrypt while attached to its users table. */
export function hashingFrom(config: {
  readonly devisePepper: string | undefined;
  readonly deviseUsersTable: string | undefined;
  readonly deviseStretches: number;
}): Pick<HasherOptions, 'devisePepper' | 'deviseBcryptCost'> {
  return {
    devisePepper: config.devisePepper,
    deviseBcryptCost: config.deviseUsersTable === undefined ? undefined : config.deviseStretches,
  };
}

export interface HasherOptions {
  /** Devise's `config.pepper`, needed to verify bcrypt hashes imported from Devise. */
  readonly devisePepper?: string | undefined;
  /**
   * Set while attached to a live Devise app's users table: the bcrypt cost (Devise's `stretches`)
   * of every hash made, so that Devise reads them too, and no hash ever needs a rehash (an argon2id
   * upgrade would lock the user out of the Rails side). Unset: argon2id, and bcrypt is upgraded.
   */
  readonly deviseBcryptCost?: number | undefined;
  /** Hashes run at once, each on a thread of its own (default 1); more wait their turn, first come, first served. */
  readonly concurrency?: number;
  readonly observe?: HashObserver | undefined;
  /** The threads' script; tests give a stand-in. */
  readonly script?: string;
}

export async function createPasswordHasher(
  params: Argon2Params = OWASP_ARGON2ID,
  { devisePepper, deviseBcryptCost, concurrency = 1, observe, script = SCRIPT }: HasherOptions = {},
): Promise<PasswordHasher> {
  const threads = startHashThreads(script, concurrency, { options: { algorithm: Algorithm.Argon2id, ...params } });
  const observed = <T>(operation: HashOperation, reply: Timed<T>): T => {
    observe?.(operation, reply.seconds);
    return resultOf(reply);
  };
  const verifyAs = async (operation: HashOperation, passwordHash: string, password: string) =>
    observed(
      operation,
      isBcryptHash(passwordHash)
        ? await threads('verifyBcrypt', { passwordHash, password: deviseBcryptInput(password, devisePepper) })
        : await threads('verify', { passwordHash, password }),
    );
  const makeHash = (password: string) =>
    deviseBcryptCost === undefined
      ? threads('hash', { password })
      : threads('hashBcrypt', { password: deviseBcryptInput(password, devisePepper), cost: deviseBcryptCost });
  // Made once per process the way real hashes are made, so it costs exactly what a real
  // verification costs (bcrypt at Devise's cost while attached); not observed: it is no login's hash.
  const dummyHash = resultOf(await makeHash(randomBytes(32).toString('base64')));

  return {
    hash: async (password) => observed('hash', await makeHash(password)),
    verify: (passwordHash, password) => verifyAs('verify', passwordHash, password),
    needsRehash(passwordHash) {
      if (deviseBcryptCost !== undefined) return false;
      const m = ARGON2ID_PHC.exec(passwordHash);
      if (!m) return true;
      return Number(m[1]) < params.memoryCost || Number(m[2]) < params.timeCost || Number(m[3]) < params.parallelism;
    },
    async verifyDummy(password) {
      await verifyAs('verifyDummy', dummyHash, password);
      return false;
    },
  };
}

/** Runs a job on the thread export it names; rejects only when the thread running it is lost. */
type HashThreads = <N extends keyof HashThread>(name: N, job: Parameters<HashThread[N]>[0]) => Promise<ReturnType<HashThread[N]>>;

function startHashThreads(script: string, concurrency: number, workerData: HashThreadData): HashThreads {
  const pool = new Piscina({
    filename: script,
    workerData,
    // One queue and one bound for every kind of job. The first thread starts at once (the dummy
    // hash needs it), the others as jobs need them, and all are kept. Piscina replaces a lost
    // thread only to keep minThreads running, never for the jobs already waiting: with a minimum
    // of none, those jobs would wait for a thread that nothing starts.
    maxThreads: concurrency,
    minThreads: 1,
    idleTimeout: Infinity,
    concurrentTasksPerWorker: 1,
    // A job that finds no free thread keeps its place at the head of the queue (by default it
    // goes to the back, and jobs that came later overtake it).
    stricterFIFO: true,
    execArgv: [], // the parent's flags (--eval, --cpu-prof, …) are not the thread's
    recordTiming: false,
  });
  // Emitted for a thread that fails with no job on it: nothing waits for it, and it is replaced
  // like any lost thread.
  pool.on('error', () => {});
  return (name, job) =>
    pool.run(job, { name }).catch((error: unknown) => {
      throw new Error(`the password-hashing thread was lost: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
}

function resultOf<T>(reply: Timed<T>): T {
  if ('error' in reply) throw new Error(`the password could not be hashed: ${reply.error}`);
  return reply.result;
}
