// What passwords.ts asks of its hashing threads and what they answer: the one definition both
// sides are checked against. The thread (workers/password-hasher.js, plain JavaScript with
// `// @ts-check`, checked by `npm run typecheck`) is a Piscina worker whose named exports are the
// members of HashThread; passwords.ts runs a job by naming one.

/** A job's answer, with the time the thread spent on it: the hash's own cost, never its wait for a turn. */
export type Timed<T> = { readonly seconds: number } & ({ readonly result: T } | { readonly error: string });

export interface VerifyJob {
  readonly passwordHash: string;
  readonly password: string;
}

/** The thread's exports. Verifications answer false for a hash they cannot read; only a hash that cannot be made is an error. */
export interface HashThread {
  /** An argon2id hash at the parameters the thread was started with (its workerData). */
  hash(job: { readonly password: string }): Timed<string>;
  verify(job: VerifyJob): Timed<boolean>;
  /** A bcrypt hash imported from Devise; the password already carries Devise's pepper. */
  verifyBcrypt(job: VerifyJob): Timed<boolean>;
  /** A bcrypt hash as Devise writes it ($2a$), at `cost`; the password already carries Devise's pepper. */
  hashBcrypt(job: { readonly password: string; readonly cost: number }): Timed<string>;
}

/** What the thread is started with. */
export interface HashThreadData {
  /** The argon2id parameters of new hashes, as @node-rs/argon2 takes them. */
  readonly options: {
    readonly algorithm: number;
    readonly memoryCost: number;
    readonly timeCost: number;
    readonly parallelism: number;
  };
}
