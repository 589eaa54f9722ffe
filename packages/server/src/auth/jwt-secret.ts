import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError, MIN_SECRET_BYTES, type Config } from '../config.js';
import type { StoredJwtSecrets } from '../store/settings.js';
import type { Store } from '../store/store.js';
import { type Keyring, MAX_PREVIOUS_SECRETS, sameKeyring } from './keyring.js';
import { ACTIVATION_MS } from './secret-rotation.js';
import type { TokenService } from './tokens.js';

// The secrets of the auth server and of every app that trusts its tokens (pacerproAuth): either
// PACERPRO_JWT_SECRET with the previous ones of PACERPRO_JWT_PREVIOUS_SECRETS_FILE, or the secret
// generated into their shared database with the previous ones `secret rotate` kept there. The two
// never mix: a node with PACERPRO_JWT_SECRET on a database that holds another, generated secret
// would refuse the tokens of the nodes that use it, so it does not start.

export interface JwtKeys {
  readonly keyring: Keyring;
  /** Where the signing secret comes from: a rotation of the generated one reaches running nodes by itself. */
  readonly origin: 'environment' | 'database';
}

const PREVIOUS_FILE = 'PACERPRO_JWT_PREVIOUS_SECRETS_FILE';

/**
 * The keyring the stored secrets give at `nowMs`: within ACTIVATION_MS of a rotation the new secret
 * is `upcoming` (it verifies, the old one still signs); after it, the new one signs.
 */
export function keyringOf(stored: StoredJwtSecrets, nowMs: number): Keyring {
  const [newest, ...older] = stored.previous;
  if (newest && nowMs < newest.rotatedAt.getTime() + ACTIVATION_MS) {
    return { current: newest.secret, upcoming: stored.current, previous: older.map((p) => p.secret) };
  }
  return { current: stored.current, previous: stored.previous.map((p) => p.secret) };
}

/**
 * The previous secrets file: one secret per line, newest first; blank lines and lines starting
 * with # are skipped. Errors name the file and the line, never a secret.
 */
export async function readPreviousSecrets(path: string, current: string): Promise<string[]> {
  const where = `${PREVIOUS_FILE}=${JSON.stringify(path)}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${where} cannot be read: ${(error as Error).message}.`);
  }
  const secrets: string[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const at = `${where}, line ${index + 1}`;
    if (Buffer.byteLength(line, 'utf8') < MIN_SECRET_BYTES) {
      throw new ConfigError(`${at}: a secret needs at least ${MIN_SECRET_BYTES} bytes, this one has ${Buffer.byteLength(line, 'utf8')}.`);
    }
    if (line === current) throw new ConfigError(`${at} is PACERPRO_JWT_SECRET itself: list only the secrets it replaced.`);
    if (secrets.includes(line)) throw new ConfigError(`${at} repeats an earlier line.`);
    secrets.push(line);
  }
  if (secrets.length > MAX_PREVIOUS_SECRETS) {
    throw new ConfigError(
      `${where} lists ${secrets.length} secrets; at most ${MAX_PREVIOUS_SECRETS} previous secrets verify: remove the oldest.`,
    );
  }
  return secrets;
}

/** The keys to sign and verify with, generating the database's secret at the first start. */
export async function resolveJwtKeys(config: Config, store: Pick<Store, 'settings'>, now: () => number = Date.now): Promise<JwtKeys> {
  if (config.jwtSecret !== undefined) {
    const stored = await store.settings.getJwtSecrets();
    if (stored && stored.current !== config.jwtSecret) {
      throw new ConfigError(
        'PACERPRO_JWT_SECRET is set, but the database also holds a generated secret, which other nodes may sign with: ' +
          'each side would refuse the tokens of the other. Unset PACERPRO_JWT_SECRET to keep the generated one, or run ' +
          '`pacerpro-auth secret forget --force` to delete it (its tokens stop working).',
      );
    }
    const previous = config.jwtPreviousSecretsFile ? await readPreviousSecrets(config.jwtPreviousSecretsFile, config.jwtSecret) : [];
    return { keyring: { current: config.jwtSecret, previous }, origin: 'environment' };
  }
  if (config.jwtPreviousSecretsFile) {
    throw new ConfigError(
      `${PREVIOUS_FILE} needs PACERPRO_JWT_SECRET: the generated secret's previous ones are kept in the database (pacerpro-auth secret rotate).`,
    );
  }
  await store.settings.getOrCreateJwtSecret(randomBytes(48).toString('base64url'));
  const stored = (await store.settings.getJwtSecrets())!;
  return { keyring: keyringOf(stored, now()), origin: 'database' };
}

export interface KeyWatch {
  stop(): void;
}

/**
 * Polls the generated secrets every `intervalMs` (two rows read by key: cheap on both stores, and
 * off the request path), and hands a changed keyring to `tokens`: `secret rotate` and `secret
 * retire` on any node reach this one within a poll. A failed poll keeps the last good keyring.
 */
export function watchGeneratedKeys({
  store,
  tokens,
  keyring,
  logger,
  now = Date.now,
  intervalMs = 2000,
}: {
  readonly store: Pick<Store, 'settings'>;
  readonly tokens: Pick<TokenService, 'useKeyring'>;
  readonly keyring: Keyring;
  readonly logger: FastifyBaseLogger;
  readonly now?: () => number;
  readonly intervalMs?: number;
}): KeyWatch {
  let known = keyring;
  let failing = false;
  const timer = setInterval(async () => {
    try {
      const stored = await store.settings.getJwtSecrets();
      failing = false;
      if (!stored) return; // forgotten by `secret forget`: this node keeps signing until it restarts
      // Recomputed at every poll, the rows unchanged or not: an upcoming secret starts signing by the clock.
      const next = keyringOf(stored, now());
      if (sameKeyring(next, known)) return;
      tokens.useKeyring(next);
      const what =
        next.upcoming !== undefined
          ? 'picked up a rotated JWT secret: it verifies now and signs in a few seconds'
          : next.current !== known.current
            ? 'the rotated JWT secret signs from now on'
            : 'picked up retired JWT secrets';
      known = next;
      logger.info({ previousSecrets: next.previous.length }, what);
    } catch (error) {
      if (!failing) logger.warn({ err: error }, 'cannot read the JWT secrets from the database; keeping the ones in use');
      failing = true;
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
