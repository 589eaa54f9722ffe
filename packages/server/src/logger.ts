import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

// Structured JSON logs. Credentials must never reach them. Fastify's request serializer logs no
// headers at all; beyond that, two nets:
// - censorSecrets: any property named like a credential, at the top of a logged object or one
//   level down ({ password }, { user: { password } }, { headers: { authorization } }, an error
//   carrying a token). It only copies what it censors, so an ordinary line (the audit line of every
//   refresh) pays a few property look-ups. pino's wildcard paths ('*.password') did the same job
//   by cloning every logged object, 2-7 µs a line.
// - pino's redaction, for the deeper places a credential is known to sit (after serializers).

export const CENSOR = '[redacted]';

/** Property names whose values are never logged. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'jwtToken',
  'token',
  'secret',
  'jwtSecret',
  'authorization',
  'cookie',
  'set-cookie',
]);

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers.authorization',
  'res.headers["set-cookie"]',
  'body.user.password',
];

/** A copy of value keeping its prototype (an Error stays an Error, with its message and stack). */
function copyOf(value: object): Record<string, unknown> {
  return Object.defineProperties(
    Object.create(Object.getPrototypeOf(value) as object | null),
    Object.getOwnPropertyDescriptors(value),
  ) as Record<string, unknown>;
}

/** value itself when none of its own properties is named like a credential; else a copy with those censored. */
function censorOwn<T extends object>(value: T): T {
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    if (!SECRET_KEYS.has(key) || !Object.hasOwn(value, key)) continue;
    copy ??= copyOf(value);
    Object.defineProperty(copy, key, { value: CENSOR, enumerable: true, writable: true, configurable: true });
  }
  return (copy as T | undefined) ?? value;
}

// Arrays and binary data hold no named credentials; walking their indices would cost per element.
const isWalkable = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

/** The logged object with credentials censored at its top level and one level down; never mutated. */
export function censorSecrets(line: Record<string, unknown>): Record<string, unknown> {
  let out = censorOwn(line);
  for (const key in out) {
    const value = out[key];
    if (!isWalkable(value)) continue;
    const clean = censorOwn(value);
    if (clean === value) continue;
    if (out === line) out = { ...line };
    out[key] = clean;
  }
  return out;
}

/** What stdout may hold while it is not being read; beyond it new lines are dropped and counted. */
const LOG_BUFFER_BYTES = 16 * 1024 * 1024;

let droppedLines = 0;

/** Log lines this process has dropped because stdout was not read fast enough (for the metrics). */
export function logLinesDropped(): number {
  return droppedLines;
}

export interface LogDestination extends DestinationStream {
  /** Called once writing resumes after drops, with how many lines were dropped meanwhile. */
  onResume(report: (dropped: number) => void): void;
}

/**
 * A file descriptor (stdout by default), written in batches off the event loop by pino's own
 * sonic-boom, as bytes. In its default string mode sonic-boom appends each line to the text waiting
 * for the write in progress and then measures that whole text's UTF-8 length again, so under load
 * every line cost more the more lines were waiting (~2 µs a line at ten waiting). As bytes, each
 * line is encoded once and counted by its length (~1 µs). pino.destination still flushes on exit
 * and stops at a closed pipe.
 *
 * A log collector that stops reading would otherwise let the waiting lines grow without end, at
 * every request's line, until the process is killed for its memory. Past `maxBufferBytes` new
 * lines are dropped instead, counted (pacerpro_log_lines_dropped_total), and reported by a line of
 * their own as soon as writing resumes. Blocking until stdout drains is no option: it would stop
 * every refresh with it. The audit rows still reach the database.
 */
export function fdDestination(fd = 1, maxBufferBytes = LOG_BUFFER_BYTES): LogDestination {
  const stream = pino.destination({ dest: fd, sync: false, contentMode: 'buffer', maxLength: maxBufferBytes });
  let unreported = 0;
  let report: ((dropped: number) => void) | undefined;
  stream.on('drop', () => {
    droppedLines++;
    unreported++;
  });
  stream.on('write', () => {
    if (unreported === 0 || !report) return;
    const dropped = unreported;
    unreported = 0;
    // After sonic-boom has released what it just wrote, so the report finds room.
    process.nextTick(report, dropped);
  });
  return {
    // In buffer mode sonic-boom's write takes a Buffer; its type still says string.
    write: (line: string) => stream.write(Buffer.from(line) as unknown as string),
    flush: (done: (error?: Error) => void) => stream.flush(done),
    onResume: (callback) => (report = callback),
  } as LogDestination;
}

/** A URL with the value of every query parameter censored: a client may put a token there. */
function censorQuery(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query) + url.slice(query).replace(/([?&][^=&]*)=[^&]*/g, `$1=${CENSOR}`);
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** The request as Fastify's debug lines log it (Fastify's own fields), its query values censored. */
function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: censorQuery(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export function createLogger(level: LogLevel, destination: DestinationStream | LogDestination = fdDestination()): Logger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    formatters: { log: censorSecrets },
    // Fastify adds its own request serializer to its child loggers; ours, given here, wins.
    serializers: { req: serializeRequest },
  };
  const logger = pino(options, destination);
  if ('onResume' in destination) {
    destination.onResume((dropped) =>
      logger.warn({ droppedLines: dropped }, `${dropped} log lines were dropped: the log output was not read fast enough`),
    );
  }
  return logger;
}
