import { isIPv4, isIPv6 } from 'node:net';
import { availableParallelism } from 'node:os';
import { DATABASE_URL_FORMS, databaseUrlProblem } from './store/database-url.js';
import { isPostgresUrl } from './store/postgres-url.js';

// Every setting is declared once, here, as one row of data: its environment variable, its flag, its
// default, its accepted form, its parser. The Config type is derived from the rows, and
// docs/configuration.md is generated from them (npm run docs). loadConfig() turns the environment
// plus flags into one frozen Config, every default computed; nothing else in the server reads
// process.env, so a bad value fails at start-up, never at request time.

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** What defaults (and `auto`) depend on besides the settings; injectable, so tests need no particular machine. */
export interface Machine {
  /** Cores this process may use, as os.availableParallelism() counts them. */
  readonly cores: number;
}

/** A refusal may say itself what is wrong, when echoing the value would not help or would leak (a URL's password). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem?: string };

export type Parser<T> = (raw: string, machine: Machine) => Parsed<T>;

/** A default worked out by loadConfig, from the machine and the settings read before it. */
export class ComputedDefault<T, Earlier> {
  constructor(
    /** How docs/configuration.md writes it. */
    readonly shown: string,
    readonly compute: (earlier: Earlier, machine: Machine) => T,
  ) {}
}

export interface Setting<K extends string, T, D> {
  /** The field of Config. */
  readonly key: K;
  readonly env: string;
  readonly flag: string;
  /** One line of `serve --help`; it also starts the docs' meaning column. */
  readonly describe: string;
  /** More for the docs' meaning column (Markdown), past what fits on a line of --help. */
  readonly details?: string;
  /** What a valid value looks like; shown when a value is refused, and in the docs. */
  readonly accepted: string;
  /** The value when the setting is not given: a constant (undefined: unset), or a ComputedDefault. */
  readonly defaultValue: D;
  /** How the docs write a constant default whose value reads badly (2592000 for 30d); it must parse to defaultValue. */
  readonly defaultShown?: string;
  readonly parse: Parser<T>;
  /** Never echoed back, not even when refused: only its length is shown. */
  readonly secret?: boolean;
}

export type AnySetting = Setting<string, unknown, unknown>;

/** What a row puts in Config: what its parser gives, or its default (undefined, when it is unset). */
type ValueOf<S> =
  S extends Setting<string, infer T, infer D> ? T | (D extends ComputedDefault<infer C, never> ? C : D extends T ? never : D) : never;

/** One readonly field per row, named by its key. */
type ConfigOf<Table extends readonly AnySetting[]> = { readonly [S in Table[number] as S['key']]: ValueOf<S> };

/**
 * One row, returned as given: the call is there so TypeScript infers the row's key, value and
 * default types, and refuses a default that is not a value of the setting.
 */
function setting<K extends string, T, const D extends NoInfer<T> | undefined | ComputedDefault<NoInfer<T>, never>>(
  row: Setting<K, T, D>,
): Setting<K, T, D> {
  return row;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const refused = { ok: false } as const;

function integer(min: number, max: number) {
  return (raw: string): Parsed<number> => {
    if (!/^\d+$/.test(raw.trim())) return refused;
    const n = Number(raw.trim());
    return Number.isSafeInteger(n) && n >= min && n <= max ? ok(n) : refused;
  };
}

function nonEmpty(raw: string): Parsed<string> {
  return raw.trim() !== '' ? ok(raw.trim()) : refused;
}

function originList(raw: string): Parsed<readonly string[]> {
  const origins = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return refused;
    }
    // An origin is scheme://host[:port] and nothing more: a path or a trailing slash never matches
    // what a browser sends in its Origin header, so refuse it instead of silently never matching.
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) return refused;
  }
  return ok(origins);
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds, written as a whole number of seconds or with a unit: 90s, 15m, 12h, 30d. */
export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * DURATION_UNITS[match[2] || 's']!;
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

function duration(minSeconds: number, maxSeconds: number) {
  return (raw: string): Parsed<number> => {
    const seconds = parseDuration(raw);
    return seconds !== undefined && seconds >= minSeconds && seconds <= maxSeconds ? ok(seconds) : refused;
  };
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address or CIDR as Fastify's proxy-addr takes it: anything else would only fail when the app is built. */
function isAddressRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return false;
  const bits = prefix === undefined ? 0 : Number(prefix);
  if (/^[\d.]+$/.test(address)) return isIPv4(address) && bits <= 32;
  return /^[0-9a-f:]+$/.test(address) && isIPv6(address) && bits <= 128;
}

function trustProxy(raw: string): Parsed<false | number | readonly string[]> {
  const value = raw.trim().toLowerCase();
  if (value === 'false' || value === 'none') return ok(false);
  if (/^\d+$/.test(value)) return Number(value) <= 10 ? ok(Number(value)) : refused;
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const valid = entries.length > 0 && entries.every((e) => NAMED_RANGES.has(e) || isAddressRange(e));
  return valid ? ok(entries) : refused;
}

function databaseUrl(raw: string): Parsed<string> {
  const value = raw.trim();
  if (value === '') return refused;
  const problem = databaseUrlProblem(value);
  return problem === undefined ? ok(value) : { ok: false, problem };
}

function redisUrl(raw: string): Parsed<string> {
  const value = raw.trim();
  if (!/^rediss?:\/\/\S+$/.test(value)) return refused;
  try {
    new URL(value); // a port out of range, say, would otherwise only show as "Redis unreachable" warnings
  } catch {
    return refused;
  }
  return ok(value);
}

/** `schema.table` or a bare `table` (in public), as one `schema.table` string. */
function deviseTable(raw: string): Parsed<string> {
  const match = /^(?:([A-Za-z_][A-Za-z0-9_]{0,62})\.)?([A-Za-z_][A-Za-z0-9_]{0,62})$/.exec(raw.trim());
  return match ? ok(`${match[1] ?? 'public'}.${match[2]}`) : refused;
}

/** The default's ceiling: each hash in flight holds 19 MiB or more, and each hashing thread ~7 MiB. */
const MAX_DEFAULT_HASH_CONCURRENCY = 3;

/** The default bound on hashes in flight: see the hashConcurrency row. */
export function defaultHashConcurrency(cores: number, workers: number): number {
  return Math.max(1, Math.min(MAX_DEFAULT_HASH_CONCURRENCY, Math.floor(cores / workers) - 1));
}

export const MIN_SECRET_BYTES = 32;

/** The settings whose defaults are constants; those computed from them follow in COMPUTED_DEFAULT_SETTINGS. */
const CONSTANT_DEFAULT_SETTINGS = [
  setting({
    key: 'port',
    env: 'PORT',
    flag: 'port',
    describe: 'TCP port to listen on',
    accepted: 'an integer from 0 to 65535',
    defaultValue: 3000,
    parse: integer(0, 65535),
  }),
  setting({
    key: 'host',
    env: 'HOST',
    flag: 'host',
    describe: 'address to listen on',
    accepted: 'an IP address or host name, e.g. 127.0.0.1 or 0.0.0.0',
    defaultValue: '127.0.0.1',
    parse: (raw: string) => (/^[\w.:\-[\]]+$/.test(raw.trim()) ? ok(raw.trim()) : refused),
  }),
  /** PEM certificate and key files: with both, the server speaks HTTPS. */
  setting({
    key: 'tlsCertPath',
    env: 'PACERPRO_TLS_CERT',
    flag: 'tls-cert',
    describe: 'PEM certificate file (with --tls-key): serve HTTPS',
    accepted: 'the path of a PEM certificate file, e.g. /etc/pacerpro/tls/cert.pem',
    defaultValue: undefined,
    parse: nonEmpty,
  }),
  setting({
    key: 'tlsKeyPath',
    env: 'PACERPRO_TLS_KEY',
    flag: 'tls-key',
    describe: 'PEM private key file of the certificate (with --tls-cert)',
    accepted: 'the path of an unencrypted PEM private key file, e.g. /etc/pacerpro/tls/key.pem',
    defaultValue: undefined,
    parse: nonEmpty,
  }),
  /** Serve /metrics on this port instead of the API's; undefined keeps it on the API's port. */
  setting({
    key: 'metricsPort',
    env: 'PACERPRO_METRICS_PORT',
    flag: 'metrics-port',
    describe: 'serve /metrics on this port instead of the API port (unset: on the API port)',
    details: 'plain HTTP, on the same `HOST`',
    accepted: 'an integer from 0 to 65535, other than PORT',
    defaultValue: undefined,
    parse: integer(0, 65535),
  }),
  /** A SQLite file path (or `:memory:`), or a postgres:// URL. */
  setting({
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    flag: 'database-url',
    describe: 'SQLite file path, or a postgres:// URL',
    details: 'a `?schema=NAME` parameter of a `postgres://` URL keeps the tables in that PostgreSQL schema, created if missing',
    accepted: `${DATABASE_URL_FORMS}; a postgres:// URL may end in ?schema=NAME`,
    defaultValue: './data/pacerpro.db',
    parse: databaseUrl,
  }),
  /** The HS256 secret; undefined means "generate one at first start and keep it in the database". */
  setting({
    key: 'jwtSecret',
    env: 'PACERPRO_JWT_SECRET',
    flag: 'jwt-secret',
    describe: 'HS256 signing secret; generated and kept in the database when unset',
    details:
      'restarts and every node sharing the database then agree on it. Not both: a node with it refuses to start on a ' +
      'database that holds a generated secret (README, "Rotating the secret")',
    accepted: `at least ${MIN_SECRET_BYTES} bytes, e.g. the output of \`openssl rand -hex 32\``,
    defaultValue: undefined,
    parse: (raw: string) => (Buffer.byteLength(raw, 'utf8') >= MIN_SECRET_BYTES ? ok(raw) : refused),
    secret: true,
  }),
  setting({
    key: 'jwtPreviousSecretsFile',
    env: 'PACERPRO_JWT_PREVIOUS_SECRETS_FILE',
    flag: 'jwt-previous-secrets-file',
    describe: 'file of previous HS256 secrets that still verify (one per line, newest first, at most 3)',
    details:
      'with PACERPRO_JWT_SECRET: tokens signed with one of them keep working and refresh into tokens signed with ' +
      'the current one; blank lines and lines starting with # are skipped; each needs 32 bytes (README, "Rotating the secret")',
    accepted: 'the path of a readable file, e.g. /run/secrets/pacerpro-previous',
    defaultValue: undefined,
    parse: nonEmpty,
  }),
  setting({
    key: 'jwtTtlSeconds',
    env: 'PACERPRO_JWT_TTL',
    flag: 'jwt-ttl',
    describe: 'token lifetime in seconds',
    accepted: 'an integer number of seconds from 1 to 31536000 (one year)',
    defaultValue: 3600,
    parse: integer(1, 31_536_000),
  }),
  setting({
    key: 'logLevel',
    env: 'LOG_LEVEL',
    flag: 'log-level',
    describe: 'log verbosity',
    details: "`info` logs the audit events and errors, `debug` adds each request's start and end",
    accepted: `one of ${LOG_LEVELS.join(', ')}`,
    defaultValue: 'info',
    parse: (raw: string) => {
      const level = raw.trim().toLowerCase();
      return (LOG_LEVELS as readonly string[]).includes(level) ? ok(level as LogLevel) : refused;
    },
  }),
  /** Origins allowed by CORS; empty means no CORS headers at all. */
  setting({
    key: 'corsOrigins',
    env: 'PACERPRO_CORS_ORIGINS',
    flag: 'cors-origins',
    describe: 'comma-separated origins allowed to call the API from a browser (unset: no CORS)',
    accepted: 'a comma-separated list of origins such as https://app.example.com,http://localhost:5173',
    defaultValue: [],
    parse: originList,
  }),
  setting({
    key: 'bodyLimitBytes',
    env: 'PACERPRO_BODY_LIMIT',
    flag: 'body-limit',
    describe: 'largest request body accepted, in bytes',
    accepted: 'an integer number of bytes from 256 to 1048576',
    defaultValue: 16_384,
    parse: integer(256, 1_048_576),
  }),
  /** How long a SQLite write waits for another process's lock before giving up. */
  setting({
    key: 'sqliteBusyTimeoutMs',
    env: 'PACERPRO_SQLITE_BUSY_TIMEOUT_MS',
    flag: 'sqlite-busy-timeout-ms',
    describe: "how long a SQLite write waits for another process's lock, in milliseconds",
    accepted: 'an integer number of milliseconds from 0 to 60000',
    defaultValue: 5000,
    parse: integer(0, 60_000),
  }),
  /** PostgreSQL only: connections each node keeps at most. */
  setting({
    key: 'dbPoolSize',
    env: 'DATABASE_POOL_SIZE',
    flag: 'db-pool-size',
    describe: 'PostgreSQL connections per node, at most',
    accepted: 'an integer from 1 to 1000',
    defaultValue: 10,
    parse: integer(1, 1000),
  }),
  /** PostgreSQL only: a statement running longer is cancelled and the request answers 503. */
  setting({
    key: 'dbStatementTimeoutMs',
    env: 'DATABASE_STATEMENT_TIMEOUT_MS',
    flag: 'db-statement-timeout-ms',
    describe: 'PostgreSQL statement timeout in milliseconds; past it the request answers 503',
    accepted: 'an integer number of milliseconds from 100 to 600000',
    defaultValue: 5000,
    parse: integer(100, 600_000),
  }),
  /** PostgreSQL only: how long to wait for a connection (new, or free in the pool) before answering 503. */
  setting({
    key: 'dbConnectTimeoutMs',
    env: 'DATABASE_CONNECT_TIMEOUT_MS',
    flag: 'db-connect-timeout-ms',
    describe: 'how long to wait for a PostgreSQL connection in milliseconds; past it the request answers 503',
    accepted: 'an integer number of milliseconds from 100 to 600000',
    defaultValue: 2000,
    parse: integer(100, 600_000),
  }),
  /** Devise's `config.pepper`, appended to the password before bcrypt, for imported Devise hashes. */
  setting({
    key: 'devisePepper',
    env: 'PACERPRO_DEVISE_PEPPER',
    flag: 'devise-pepper',
    describe: "Devise's config.pepper, for bcrypt hashes imported from Devise (unset: no pepper)",
    accepted: "the exact string of the Rails app's Devise pepper",
    defaultValue: undefined,
    parse: (raw: string) => ok(raw),
    secret: true,
  }),
  /** Devise's lockable `unlock_in`: how long a Devise `locked_at` keeps an account locked. */
  setting({
    key: 'deviseUnlockInSeconds',
    env: 'PACERPRO_DEVISE_UNLOCK_IN',
    flag: 'devise-unlock-in',
    describe: "Devise's unlock_in: how long after locked_at a Devise lock ends (never: unlock_strategy :email)",
    details:
      'a user whose `locked_at` is set refuses logins and tokens until `locked_at` + this, then opens by itself; `never` keeps it locked until `users unlock`',
    accepted: 'a duration from 1s to 365d, e.g. 1h, 30m or 3600 (seconds), or never',
    defaultValue: 3600,
    defaultShown: '1h',
    parse: (raw: string): Parsed<number | 'never'> => (raw.trim() === 'never' ? ok('never') : duration(1, 365 * 86_400)(raw)),
  }),
  /** Attached mode: the Rails app's Devise users table, used in place of our own. */
  setting({
    key: 'deviseUsersTable',
    env: 'PACERPRO_DEVISE_USERS_TABLE',
    flag: 'devise-users-table',
    describe: 'run beside a live Devise app: use its users table in place (PostgreSQL; unset: our own users table)',
    details:
      'the table is in the database of DATABASE_URL, whose `?schema=` keeps our own tables apart. Its `id`, `email`, ' +
      '`encrypted_password` and `jti` are used in place, and `locked_at` when present (with PACERPRO_DEVISE_UNLOCK_IN); new hashes are ' +
      "Devise's bcrypt (PACERPRO_DEVISE_STRETCHES, PACERPRO_DEVISE_PEPPER) and are never upgraded to argon2id " +
      '(docs/devise.md, "Running beside Devise")',
    accepted: 'a table name as schema.table, e.g. public.users (a bare name is in public); letters, digits and _',
    defaultValue: undefined,
    parse: deviseTable,
  }),
  /** Devise's `config.stretches`: the bcrypt cost of the hashes written while attached. */
  setting({
    key: 'deviseStretches',
    env: 'PACERPRO_DEVISE_STRETCHES',
    flag: 'devise-stretches',
    describe: "Devise's stretches: the bcrypt cost of passwords set while attached to a Devise users table",
    details:
      "Devise's default is 12 outside the test environment (`Rails.env.test? ? 1 : 12` in its initializer); set it to the Rails app's value",
    accepted: 'an integer from 4 to 31 (bcrypt cost)',
    defaultValue: 12,
    parse: integer(4, 31),
  }),
  /** Seconds a token is still accepted past its exp, for node clocks that disagree. */
  setting({
    key: 'jwtLeewaySeconds',
    env: 'PACERPRO_JWT_LEEWAY',
    flag: 'jwt-leeway',
    describe: 'seconds a token is still accepted after it expires (clock skew between nodes)',
    accepted: 'an integer number of seconds from 0 to 300',
    defaultValue: 0,
    parse: integer(0, 300),
  }),
  /** devise-jwt's `issuer` (config.jwt.issuer): tokens carry it as iss, and a token without it is refused. */
  setting({
    key: 'jwtIssuer',
    env: 'PACERPRO_JWT_ISSUER',
    flag: 'jwt-issuer',
    describe: "the iss claim of every token, as devise-jwt's issuer (unset: no iss written or required)",
    details:
      'when set, our tokens carry `iss` after the four contract claims, and a token whose `iss` differs or is missing is refused, as ruby-jwt refuses it on the Rails side',
    accepted: "a non-empty string, the same as the Rails app's config.jwt.issuer",
    defaultValue: undefined,
    parse: (raw: string) => (raw.length > 0 && raw.length <= 256 ? ok(raw) : refused),
  }),
  /** How long one jti may be refreshed before its owner must log in again. */
  setting({
    key: 'sessionMaxAgeSeconds',
    env: 'PACERPRO_SESSION_MAX_AGE',
    flag: 'session-max-age',
    describe: 'how long one login may be kept alive by refreshes; then the user logs in again',
    accepted: 'a duration from 1m to 365d, e.g. 30d, 12h or 3600 (seconds)',
    defaultValue: 30 * 86_400,
    defaultShown: '30d',
    parse: duration(60, 365 * 86_400),
  }),
  setting({
    key: 'passwordMinLength',
    env: 'PACERPRO_PASSWORD_MIN_LENGTH',
    flag: 'password-min-length',
    describe: 'shortest password users add and users passwd accept',
    accepted: 'an integer from 8 to 64',
    defaultValue: 12,
    parse: integer(8, 64),
  }),
  /** Password checks one login lane may have before it is throttled. */
  setting({
    key: 'loginMaxFailures',
    env: 'PACERPRO_LOGIN_MAX_FAILURES',
    flag: 'login-max-failures',
    describe: 'failed logins of one lane before it is throttled with a growing delay',
    details:
      'then it waits 1 s, 2 s, 4 s … (at most 15 min) between attempts. A lane is an e-mail from clients the account does ' +
      'not know, one address it logged in from, or one device credential it issued: strangers cannot throttle its owner ' +
      '(SECURITY.md, "Login throttling, by lane")',
    accepted: 'an integer from 1 to 1000',
    defaultValue: 10,
    parse: integer(1, 1000),
  }),
  setting({
    key: 'deviceCredentialTtlSeconds',
    env: 'PACERPRO_DEVICE_CREDENTIAL_TTL',
    flag: 'device-credential-ttl',
    describe: "how long a device credential lets its client past strangers' failed logins without being used",
    details: 'a successful login that presents it starts the period again (SECURITY.md, "Login throttling, by lane")',
    accepted: 'a duration from 1d to 730d, e.g. 90d or 7776000 (seconds)',
    defaultValue: 90 * 86_400,
    defaultShown: '90d',
    parse: duration(86_400, 730 * 86_400),
  }),
  /** Login attempts one client IP may make per minute; 0 turns the limit off. */
  setting({
    key: 'ipLoginLimitPerMinute',
    env: 'PACERPRO_IP_LOGIN_LIMIT',
    flag: 'ip-login-limit',
    describe: 'login attempts per minute from one client IP, IPv6 by /64 (0: no limit)',
    accepted: 'an integer from 0 to 1000000',
    defaultValue: 20,
    parse: integer(0, 1_000_000),
  }),
  /** Shares the per-IP counters across nodes; undefined keeps them in memory. */
  setting({
    key: 'redisUrl',
    env: 'REDIS_URL',
    flag: 'redis-url',
    describe: 'Redis that shares the per-IP login limits across nodes (unset: in memory)',
    accepted: 'a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
    defaultValue: undefined,
    parse: redisUrl,
  }),
  /** Which proxies may set X-Forwarded-For: false (none), a hop count, or addresses/CIDRs. */
  setting({
    key: 'trustProxy',
    env: 'PACERPRO_TRUST_PROXY',
    flag: 'trust-proxy',
    describe: 'proxies whose X-Forwarded-For is believed (unset: none, the socket address is the client)',
    accepted: 'addresses or CIDRs separated by commas (e.g. 10.0.0.0/8,loopback), or a hop count from 1 to 10',
    defaultValue: false,
    parse: trustProxy,
  }),
  setting({
    key: 'argon2MemoryKib',
    env: 'PACERPRO_ARGON2_MEMORY_KIB',
    flag: 'argon2-memory-kib',
    describe: 'argon2id memory per hash in KiB (OWASP minimum 19456)',
    details: 'stored weaker hashes are upgraded at the next login',
    accepted: 'an integer from 19456 to 4194304',
    defaultValue: 19_456,
    parse: integer(19_456, 4_194_304),
  }),
  setting({
    key: 'argon2Iterations',
    env: 'PACERPRO_ARGON2_ITERATIONS',
    flag: 'argon2-iterations',
    describe: 'argon2id passes per hash (OWASP minimum 2)',
    accepted: 'an integer from 2 to 100',
    defaultValue: 2,
    parse: integer(2, 100),
  }),
  setting({
    key: 'argon2Parallelism',
    env: 'PACERPRO_ARGON2_PARALLELISM',
    flag: 'argon2-parallelism',
    describe: 'argon2id lanes per hash',
    accepted: 'an integer from 1 to 16',
    defaultValue: 1,
    parse: integer(1, 16),
  }),
  /** Audit events older than this are deleted. */
  setting({
    key: 'auditRetentionSeconds',
    env: 'PACERPRO_AUDIT_RETENTION',
    flag: 'audit-retention',
    describe: 'how long audit events are kept',
    accepted: 'a duration from 1d to 3650d, e.g. 90d',
    defaultValue: 90 * 86_400,
    defaultShown: '90d',
    parse: duration(86_400, 3650 * 86_400),
  }),
  /** Processes serving the port (node:cluster); 1 runs no cluster at all. */
  setting({
    key: 'workers',
    env: 'PACERPRO_WORKERS',
    flag: 'workers',
    describe: 'server processes sharing the port (auto: one per core)',
    accepted: 'an integer from 1 to 256, or auto',
    defaultValue: 1,
    parse: (raw: string, machine: Machine) => (raw.trim().toLowerCase() === 'auto' ? ok(machine.cores) : integer(1, 256)(raw)),
  }),
] as const;

type ConstantDefaultConfig = ConfigOf<typeof CONSTANT_DEFAULT_SETTINGS>;

/** Settings whose default is computed from the settings above (read first) and the machine. */
const COMPUTED_DEFAULT_SETTINGS = [
  /**
   * Password hashes one process runs at once. By default one less than each worker process's share
   * of the cores, so one core is always left to the event loops (refreshes never wait for a core
   * while logins flood), at least one and at most MAX_DEFAULT_HASH_CONCURRENCY.
   */
  setting({
    key: 'hashConcurrency',
    env: 'PACERPRO_HASH_CONCURRENCY',
    flag: 'hash-concurrency',
    describe: 'password hashes each process runs at once; more logins wait their turn (unset: cores / workers - 1, 1 to 3)',
    details: 'each runs on a thread of its own, and a core stays free for refreshes',
    accepted: 'an integer from 1 to 256',
    defaultValue: new ComputedDefault(
      `cores ÷ workers − 1, from 1 to ${MAX_DEFAULT_HASH_CONCURRENCY}`,
      ({ workers }: ConstantDefaultConfig, { cores }) => defaultHashConcurrency(cores, workers),
    ),
    parse: integer(1, 256),
  }),
] as const;

export const SETTINGS = [...CONSTANT_DEFAULT_SETTINGS, ...COMPUTED_DEFAULT_SETTINGS] as const;

export type Config = ConfigOf<typeof SETTINGS>;

/** Flags as `node:util` parseArgs returns them, keyed by flag name without dashes. */
export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

/** A refused value as a message shows it: quoted, with a URL's password masked (a mistyped REDIS_URL still holds a real one). */
function shownValue(raw: string): string {
  return JSON.stringify(raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#:@]*:)[^/?#]*@/i, '$1***@'));
}

function refusal(setting: AnySetting, source: string, raw: string, problem: string | undefined): ConfigError {
  if (problem !== undefined) return new ConfigError(`${source} ${problem}`);
  // Never echo a secret back, not even a wrong one.
  const shown = setting.secret ? `(${Buffer.byteLength(raw, 'utf8')} bytes)` : shownValue(raw);
  return new ConfigError(`${source}=${shown} is not valid: expected ${setting.accepted}.`);
}

/** Refuses values that are each valid but not together. */
function checkTogether(config: Config): void {
  // A certificate without its key (or the reverse) cannot serve HTTPS: refuse rather than fall back to HTTP.
  if ((config.tlsCertPath === undefined) !== (config.tlsKeyPath === undefined)) {
    throw new ConfigError(
      'PACERPRO_TLS_CERT and PACERPRO_TLS_KEY (--tls-cert, --tls-key) go together: set both to serve HTTPS, or neither.',
    );
  }
  if (config.deviseUsersTable !== undefined) checkAttached(config.deviseUsersTable, config.databaseUrl);
  // Otherwise the second listen fails with EADDRINUSE, after the API is already up.
  if (config.metricsPort !== undefined && config.metricsPort !== 0 && config.metricsPort === config.port) {
    throw new ConfigError(
      `PACERPRO_METRICS_PORT (--metrics-port) is ${config.port}, the port of the API (PORT): give it a port of its own, or leave it unset.`,
    );
  }
}

/**
 * Attached mode needs PostgreSQL, and our tables in a schema of their own: in the Rails app's schema
 * our migrations would meet its tables (its own `users` first of all).
 */
function checkAttached(table: string, databaseUrl: string): void {
  const named = `PACERPRO_DEVISE_USERS_TABLE (--devise-users-table) is ${table}`;
  if (!isPostgresUrl(databaseUrl)) {
    throw new ConfigError(
      `${named}, which needs DATABASE_URL to be the Rails app's PostgreSQL (postgres://…?schema=pacerpro_auth); it is a SQLite path: set DATABASE_URL, or unset PACERPRO_DEVISE_USERS_TABLE.`,
    );
  }
  const schema = new URL(databaseUrl).searchParams.get('schema');
  if (schema === null || schema === table.split('.')[0]) {
    throw new ConfigError(
      `${named}: DATABASE_URL must keep our own tables in a schema of their own, other than ${table.split('.')[0]}: add ?schema=pacerpro_auth (any name but the Rails app's).`,
    );
  }
}

export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = {},
  flags: FlagValues = {},
  machine: Machine = { cores: availableParallelism() },
): Config {
  const rows: readonly AnySetting[] = SETTINGS;
  const values: Record<string, unknown> = {};
  for (const setting of rows) {
    const flagValue = flags[setting.flag];
    const fromFlag = typeof flagValue === 'string';
    const raw = fromFlag ? flagValue : env[setting.env];
    if (raw === undefined || (!fromFlag && raw === '')) {
      const fallback = setting.defaultValue;
      // `values` holds every setting above this one: a computed default reads only those.
      values[setting.key] = fallback instanceof ComputedDefault ? fallback.compute(values, machine) : fallback;
      continue;
    }
    const parsed = setting.parse(raw, machine);
    if (!parsed.ok) throw refusal(setting, fromFlag ? `--${setting.flag}` : setting.env, raw, parsed.problem);
    values[setting.key] = parsed.value;
  }
  // TypeScript cannot follow a loop over rows of different types; Config is derived from these same
  // rows, and each field was set by its own row's parser or default.
  const config = values as Config;
  checkTogether(config);
  return Object.freeze(config);
}
