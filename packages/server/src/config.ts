import { availableParallelism } from 'node:os';

// Every setting is declared once, here, as data: its environment variable, its flag, its default,
// its accepted form. loadConfig() turns the environment plus flags into one frozen Config; nothing
// else in the server reads process.env, so a bad value fails at start-up, never at request time.

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PEM certificate and key files: with both, the server speaks HTTPS. */
  readonly tlsCertPath: string | undefined;
  readonly tlsKeyPath: string | undefined;
  /** Serve /metrics on this port instead of the API's; undefined keeps it on the API's port. */
  readonly metricsPort: number | undefined;
  /** A SQLite file path (or `:memory:`), or a postgres:// URL. */
  readonly databaseUrl: string;
  /** The HS256 secret; undefined means "generate one at first start and keep it in the database". */
  readonly jwtSecret: string | undefined;
  readonly jwtTtlSeconds: number;
  readonly logLevel: LogLevel;
  /** Origins allowed by CORS; empty means no CORS headers at all. */
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  /** How long a SQLite write waits for another process's lock before giving up. */
  readonly sqliteBusyTimeoutMs: number;
  /** PostgreSQL only: connections each node keeps at most. */
  readonly dbPoolSize: number;
  /** PostgreSQL only: a statement running longer is cancelled and the request answers 503. */
  readonly dbStatementTimeoutMs: number;
  /** PostgreSQL only: how long to wait for a connection (new, or free in the pool) before answering 503. */
  readonly dbConnectTimeoutMs: number;
  /** Devise's `config.pepper`, appended to the password before bcrypt, for imported Devise hashes. */
  readonly devisePepper: string | undefined;
  /** Seconds a token is still accepted past its exp, for node clocks that disagree. */
  readonly jwtLeewaySeconds: number;
  /** How long one jti may be refreshed before its owner must log in again. */
  readonly sessionMaxAgeSeconds: number;
  readonly passwordMinLength: number;
  /** Consecutive failed logins of one e-mail before it is throttled. */
  readonly loginMaxFailures: number;
  /** Login attempts one client IP may make per minute; 0 turns the limit off. */
  readonly ipLoginLimitPerMinute: number;
  /** Shares the per-IP counters across nodes; undefined keeps them in memory. */
  readonly redisUrl: string | undefined;
  /** Which proxies may set X-Forwarded-For: false (none), a hop count, or addresses/CIDRs. */
  readonly trustProxy: false | number | readonly string[];
  readonly argon2MemoryKib: number;
  readonly argon2Iterations: number;
  readonly argon2Parallelism: number;
  /** Audit events older than this are deleted. */
  readonly auditRetentionSeconds: number;
  /** How often queued audit events are written; 0 writes each before the request answers. */
  readonly auditFlushMs: number;
  /** Processes serving the port (node:cluster); 1 runs no cluster at all. */
  readonly workers: number;
  /** Password hashes one process runs at once; undefined: a worker's share of the cores less one (hash-queue.ts). */
  readonly hashConcurrency: number | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Parsed<T> = { ok: true; value: T } | { ok: false };

interface Setting<K extends keyof Config> {
  readonly key: K;
  readonly env: string;
  readonly flag: string;
  readonly describe: string;
  /** What a valid value looks like; shown when a value is refused. */
  readonly accepted: string;
  readonly defaultValue: Config[K];
  parse(raw: string): Parsed<Config[K]>;
  /** Never echoed back, not even when refused: only its length is shown. */
  readonly secret?: boolean;
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

function originList(raw: string): Parsed<readonly string[]> {
  const origins = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
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

const IPV4_CIDR = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/;
const IPV6_CIDR = /^[0-9a-f:]+(\/\d{1,3})?$/i;
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxy(raw: string): Parsed<false | number | readonly string[]> {
  const value = raw.trim().toLowerCase();
  if (value === 'false' || value === 'none') return ok(false);
  if (/^\d+$/.test(value)) return Number(value) <= 10 ? ok(Number(value)) : refused;
  const entries = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const valid = entries.length > 0 && entries.every((e) => NAMED_RANGES.has(e) || IPV4_CIDR.test(e) || (e.includes(':') && IPV6_CIDR.test(e)));
  return valid ? ok(entries) : refused;
}

const MIN_SECRET_BYTES = 32;

function settingsTable() {
  return [
    {
      key: 'port', env: 'PORT', flag: 'port', describe: 'TCP port to listen on',
      accepted: 'an integer from 0 to 65535', defaultValue: 3000, parse: integer(0, 65535),
    } satisfies Setting<'port'>,
    {
      key: 'host', env: 'HOST', flag: 'host', describe: 'address to listen on',
      accepted: 'an IP address or host name, e.g. 127.0.0.1 or 0.0.0.0', defaultValue: '127.0.0.1',
      parse: (raw: string) => (/^[\w.:\-[\]]+$/.test(raw.trim()) ? ok(raw.trim()) : refused),
    } satisfies Setting<'host'>,
    {
      key: 'tlsCertPath', env: 'PACERPRO_TLS_CERT', flag: 'tls-cert',
      describe: 'PEM certificate file (with --tls-key): serve HTTPS',
      accepted: 'the path of a PEM certificate file, e.g. /etc/pacerpro/tls/cert.pem', defaultValue: undefined,
      parse: (raw: string) => (raw.trim() !== '' ? ok(raw.trim()) : refused),
    } satisfies Setting<'tlsCertPath'>,
    {
      key: 'tlsKeyPath', env: 'PACERPRO_TLS_KEY', flag: 'tls-key',
      describe: 'PEM private key file of the certificate (with --tls-cert)',
      accepted: 'the path of an unencrypted PEM private key file, e.g. /etc/pacerpro/tls/key.pem', defaultValue: undefined,
      parse: (raw: string) => (raw.trim() !== '' ? ok(raw.trim()) : refused),
    } satisfies Setting<'tlsKeyPath'>,
    {
      key: 'metricsPort', env: 'PACERPRO_METRICS_PORT', flag: 'metrics-port',
      describe: 'serve /metrics on this port instead of the API port (unset: on the API port)',
      accepted: 'an integer from 0 to 65535', defaultValue: undefined, parse: integer(0, 65535),
    } satisfies Setting<'metricsPort'>,
    {
      key: 'databaseUrl', env: 'DATABASE_URL', flag: 'database-url',
      describe: 'SQLite file path, or a postgres:// URL',
      accepted: 'a file path such as ./data/pacerpro.db, or postgres://user@host:5432/db',
      defaultValue: './data/pacerpro.db',
      parse: (raw: string) => (raw.trim() !== '' ? ok(raw.trim()) : refused),
    } satisfies Setting<'databaseUrl'>,
    {
      key: 'jwtSecret', env: 'PACERPRO_JWT_SECRET', flag: 'jwt-secret',
      describe: 'HS256 signing secret; generated and kept in the database when unset',
      accepted: `at least ${MIN_SECRET_BYTES} bytes, e.g. the output of \`openssl rand -hex 32\``,
      defaultValue: undefined,
      parse: (raw: string) => (Buffer.byteLength(raw, 'utf8') >= MIN_SECRET_BYTES ? ok(raw) : refused),
      secret: true,
    } satisfies Setting<'jwtSecret'>,
    {
      key: 'jwtTtlSeconds', env: 'PACERPRO_JWT_TTL', flag: 'jwt-ttl', describe: 'token lifetime in seconds',
      accepted: 'an integer number of seconds from 1 to 31536000 (one year)', defaultValue: 3600,
      parse: integer(1, 31_536_000),
    } satisfies Setting<'jwtTtlSeconds'>,
    {
      key: 'logLevel', env: 'LOG_LEVEL', flag: 'log-level', describe: 'log verbosity',
      accepted: `one of ${LOG_LEVELS.join(', ')}`, defaultValue: 'info',
      parse: (raw: string) => {
        const level = raw.trim().toLowerCase();
        return (LOG_LEVELS as readonly string[]).includes(level) ? ok(level as LogLevel) : refused;
      },
    } satisfies Setting<'logLevel'>,
    {
      key: 'corsOrigins', env: 'PACERPRO_CORS_ORIGINS', flag: 'cors-origins',
      describe: 'comma-separated origins allowed to call the API from a browser (unset: no CORS)',
      accepted: 'a comma-separated list of origins such as https://app.example.com,http://localhost:5173',
      defaultValue: [], parse: originList,
    } satisfies Setting<'corsOrigins'>,
    {
      key: 'bodyLimitBytes', env: 'PACERPRO_BODY_LIMIT', flag: 'body-limit',
      describe: 'largest request body accepted, in bytes',
      accepted: 'an integer number of bytes from 256 to 1048576', defaultValue: 16_384,
      parse: integer(256, 1_048_576),
    } satisfies Setting<'bodyLimitBytes'>,
    {
      key: 'sqliteBusyTimeoutMs', env: 'PACERPRO_SQLITE_BUSY_TIMEOUT_MS', flag: 'sqlite-busy-timeout-ms',
      describe: 'how long a SQLite write waits for another process\'s lock, in milliseconds',
      accepted: 'an integer number of milliseconds from 0 to 60000', defaultValue: 5000,
      parse: integer(0, 60_000),
    } satisfies Setting<'sqliteBusyTimeoutMs'>,
    {
      key: 'dbPoolSize', env: 'DATABASE_POOL_SIZE', flag: 'db-pool-size',
      describe: 'PostgreSQL connections per node, at most',
      accepted: 'an integer from 1 to 1000', defaultValue: 10, parse: integer(1, 1000),
    } satisfies Setting<'dbPoolSize'>,
    {
      key: 'dbStatementTimeoutMs', env: 'DATABASE_STATEMENT_TIMEOUT_MS', flag: 'db-statement-timeout-ms',
      describe: 'PostgreSQL statement timeout in milliseconds; past it the request answers 503',
      accepted: 'an integer number of milliseconds from 100 to 600000', defaultValue: 5000,
      parse: integer(100, 600_000),
    } satisfies Setting<'dbStatementTimeoutMs'>,
    {
      key: 'dbConnectTimeoutMs', env: 'DATABASE_CONNECT_TIMEOUT_MS', flag: 'db-connect-timeout-ms',
      describe: 'how long to wait for a PostgreSQL connection in milliseconds; past it the request answers 503',
      accepted: 'an integer number of milliseconds from 100 to 600000', defaultValue: 2000,
      parse: integer(100, 600_000),
    } satisfies Setting<'dbConnectTimeoutMs'>,
    {
      key: 'devisePepper', env: 'PACERPRO_DEVISE_PEPPER', flag: 'devise-pepper',
      describe: "Devise's config.pepper, for bcrypt hashes imported from Devise (unset: no pepper)",
      accepted: 'the exact string of the Rails app\'s Devise pepper', defaultValue: undefined,
      parse: (raw: string) => ok(raw),
      secret: true,
    } satisfies Setting<'devisePepper'>,
    {
      key: 'jwtLeewaySeconds', env: 'PACERPRO_JWT_LEEWAY', flag: 'jwt-leeway',
      describe: 'seconds a token is still accepted after it expires (clock skew between nodes)',
      accepted: 'an integer number of seconds from 0 to 300', defaultValue: 0, parse: integer(0, 300),
    } satisfies Setting<'jwtLeewaySeconds'>,
    {
      key: 'sessionMaxAgeSeconds', env: 'PACERPRO_SESSION_MAX_AGE', flag: 'session-max-age',
      describe: 'how long one login may be kept alive by refreshes; then the user logs in again',
      accepted: 'a duration from 1m to 365d, e.g. 30d, 12h or 3600 (seconds)', defaultValue: 30 * 86_400,
      parse: duration(60, 365 * 86_400),
    } satisfies Setting<'sessionMaxAgeSeconds'>,
    {
      key: 'passwordMinLength', env: 'PACERPRO_PASSWORD_MIN_LENGTH', flag: 'password-min-length',
      describe: 'shortest password users add and users passwd accept',
      accepted: 'an integer from 8 to 64', defaultValue: 12, parse: integer(8, 64),
    } satisfies Setting<'passwordMinLength'>,
    {
      key: 'loginMaxFailures', env: 'PACERPRO_LOGIN_MAX_FAILURES', flag: 'login-max-failures',
      describe: 'consecutive failed logins of one e-mail before it is throttled with a growing delay',
      accepted: 'an integer from 1 to 1000', defaultValue: 10, parse: integer(1, 1000),
    } satisfies Setting<'loginMaxFailures'>,
    {
      key: 'ipLoginLimitPerMinute', env: 'PACERPRO_IP_LOGIN_LIMIT', flag: 'ip-login-limit',
      describe: 'login attempts per minute from one client IP (0: no limit)',
      accepted: 'an integer from 0 to 1000000', defaultValue: 20, parse: integer(0, 1_000_000),
    } satisfies Setting<'ipLoginLimitPerMinute'>,
    {
      key: 'redisUrl', env: 'REDIS_URL', flag: 'redis-url',
      describe: 'Redis that shares the per-IP login limits across nodes (unset: in memory)',
      accepted: 'a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379', defaultValue: undefined,
      parse: (raw: string) => (/^rediss?:\/\/\S+$/.test(raw.trim()) ? ok(raw.trim()) : refused),
    } satisfies Setting<'redisUrl'>,
    {
      key: 'trustProxy', env: 'PACERPRO_TRUST_PROXY', flag: 'trust-proxy',
      describe: 'proxies whose X-Forwarded-For is believed (unset: none, the socket address is the client)',
      accepted: 'addresses or CIDRs separated by commas (e.g. 10.0.0.0/8,loopback), or a hop count from 1 to 10',
      defaultValue: false, parse: trustProxy,
    } satisfies Setting<'trustProxy'>,
    {
      key: 'argon2MemoryKib', env: 'PACERPRO_ARGON2_MEMORY_KIB', flag: 'argon2-memory-kib',
      describe: 'argon2id memory per hash in KiB (OWASP minimum 19456)',
      accepted: 'an integer from 19456 to 4194304', defaultValue: 19_456, parse: integer(19_456, 4_194_304),
    } satisfies Setting<'argon2MemoryKib'>,
    {
      key: 'argon2Iterations', env: 'PACERPRO_ARGON2_ITERATIONS', flag: 'argon2-iterations',
      describe: 'argon2id passes per hash (OWASP minimum 2)',
      accepted: 'an integer from 2 to 100', defaultValue: 2, parse: integer(2, 100),
    } satisfies Setting<'argon2Iterations'>,
    {
      key: 'argon2Parallelism', env: 'PACERPRO_ARGON2_PARALLELISM', flag: 'argon2-parallelism',
      describe: 'argon2id lanes per hash',
      accepted: 'an integer from 1 to 16', defaultValue: 1, parse: integer(1, 16),
    } satisfies Setting<'argon2Parallelism'>,
    {
      key: 'auditRetentionSeconds', env: 'PACERPRO_AUDIT_RETENTION', flag: 'audit-retention',
      describe: 'how long audit events are kept',
      accepted: 'a duration from 1d to 3650d, e.g. 90d', defaultValue: 90 * 86_400,
      parse: duration(86_400, 3650 * 86_400),
    } satisfies Setting<'auditRetentionSeconds'>,
    {
      key: 'auditFlushMs', env: 'PACERPRO_AUDIT_FLUSH_MS', flag: 'audit-flush-ms',
      describe: 'how often audit events are written to the database in a batch (0: each one before the answer)',
      accepted: 'an integer number of milliseconds from 0 to 60000', defaultValue: 1000, parse: integer(0, 60_000),
    } satisfies Setting<'auditFlushMs'>,
    {
      key: 'workers', env: 'PACERPRO_WORKERS', flag: 'workers',
      describe: 'server processes sharing the port (auto: one per core)',
      accepted: 'an integer from 1 to 256, or auto', defaultValue: 1,
      parse: (raw: string) => (raw.trim().toLowerCase() === 'auto' ? ok(availableParallelism()) : integer(1, 256)(raw)),
    } satisfies Setting<'workers'>,
    {
      key: 'hashConcurrency', env: 'PACERPRO_HASH_CONCURRENCY', flag: 'hash-concurrency',
      describe: 'password hashes each process runs at once; more logins wait their turn (unset: cores / workers - 1, 1 to 3)',
      accepted: 'an integer from 1 to 256', defaultValue: undefined, parse: integer(1, 256),
    } satisfies Setting<'hashConcurrency'>,
  ] as const;
}

export const SETTINGS = settingsTable();

/** Flags as `node:util` parseArgs returns them, keyed by flag name without dashes. */
export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = {},
  flags: FlagValues = {},
): Config {
  const config: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const flagValue = flags[setting.flag];
    const fromFlag = typeof flagValue === 'string';
    const raw = fromFlag ? flagValue : env[setting.env];
    if (raw === undefined || (!fromFlag && raw === '')) {
      config[setting.key] = setting.defaultValue;
      continue;
    }
    const parsed = (setting.parse as (raw: string) => Parsed<unknown>)(raw);
    if (!parsed.ok) {
      const source = fromFlag ? `--${setting.flag}` : setting.env;
      // Never echo a secret back, not even a wrong one.
      const shown = 'secret' in setting && setting.secret ? `(${Buffer.byteLength(raw, 'utf8')} bytes)` : JSON.stringify(raw);
      throw new ConfigError(`${source}=${shown} is not valid: expected ${setting.accepted}.`);
    }
    config[setting.key] = parsed.value;
  }
  // A certificate without its key (or the reverse) cannot serve HTTPS: refuse rather than fall back to HTTP.
  if ((config.tlsCertPath === undefined) !== (config.tlsKeyPath === undefined)) {
    throw new ConfigError('PACERPRO_TLS_CERT and PACERPRO_TLS_KEY (--tls-cert, --tls-key) go together: set both to serve HTTPS, or neither.');
  }
  return Object.freeze(config) as unknown as Config;
}
