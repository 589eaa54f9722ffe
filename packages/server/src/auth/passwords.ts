import { Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { deviseBcryptInput, isBcryptHash } from './devise-bcrypt.js';
import { startHashThreads } from './hash-threads.js';

// Password hashing with argon2id, on threads of our own (hash-threads.ts), so a login never blocks
// the event loop that serves refreshes.

export interface Argon2Params {
  /** KiB */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP's recommended minimum for argon2id: 19 MiB, 2 iterations, 1 lane. */
export const OWASP_ARGON2ID: Argon2Params = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

export const MAX_PASSWORD_BYTES = 1024;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash it cannot read; never throws on bad input. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** True when the hash is weaker than (or other than) the configured argon2id parameters. */
  needsRehash(passwordHash: string): boolean;
  /**
   * Spends one verification on a hash nobody's password matches: for unknown e-mails, so that a
   * miss costs what a wrong password costs and timing tells nothing about who has an account.
   */
  verifyDummy(password: string): Promise<false>;
}

const ARGON2ID_PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/** The argon2id parameters a Config asks for (never below OWASP's minimum: config.ts bounds them). */
export function argon2ParamsFrom(config: {
  readonly argon2MemoryKib: number;
  readonly argon2Iterations: number;
  readonly argon2Parallelism: number;
}): Argon2Params {
  return { memoryCost: config.argon2MemoryKib, timeCost: config.argon2Iterations, parallelism: config.argon2Parallelism };
}

export interface HasherOptions {
  /** Devise's `config.pepper`, needed to verify bcrypt hashes imported from Devise. */
  readonly devisePepper?: string | undefined;
  /** Hashes run at once, each on a thread of its own (default 1). */
  readonly threads?: number;
}

export async function createPasswordHasher(
  params: Argon2Params = OWASP_ARGON2ID,
  { devisePepper, threads = 1 }: HasherOptions = {},
): Promise<PasswordHasher> {
  const hashing = startHashThreads({ threads, options: { algorithm: Algorithm.Argon2id, ...params } });
  const hashPassword = (password: string) => hashing.hash(password);
  const verifyPassword = (passwordHash: string, password: string) =>
    isBcryptHash(passwordHash)
      ? hashing.verifyBcrypt(passwordHash, deviseBcryptInput(password, devisePepper))
      : hashing.verify(passwordHash, password);
  // Made once per process with the same parameters, so it costs exactly what a real hash costs.
  const dummyHash = await hashPassword(randomBytes(32).toString('base64'));

  return {
    hash: hashPassword,
    verify: verifyPassword,
    needsRehash(passwordHash) {
      const m = ARGON2ID_PHC.exec(passwordHash);
      if (!m) return true;
      return Number(m[1]) < params.memoryCost || Number(m[2]) < params.timeCost || Number(m[3]) < params.parallelism;
    },
    async verifyDummy(password) {
      await verifyPassword(dummyHash, password);
      return false;
    },
  };
}
