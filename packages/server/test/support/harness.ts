import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createAuthenticator } from '../../src/auth/authenticate.js';
import { createJtiMatcher } from '../../src/auth/jti-matcher.js';
import { createSessionService } from '../../src/auth/sessions.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/auth/passwords.js';
import { loadConfig } from '../../src/config.js';
import { attachedTo } from '../../src/store/open-store.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';

// A real server on a real socket over a real SQLite file in a temp folder.

export const PASSWORD = 'correct horse battery staple';

let hasher: Promise<PasswordHasher> | undefined;
/** One hasher per test process: its dummy hash costs one argon2 run. */
export const sharedHasher = () => (hasher ??= createPasswordHasher());

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'pacerpro-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly url: string;
  readonly port: number;
  readonly databasePath: string;
  addUser(email: string, password?: string): Promise<number>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly env?: Record<string, string>;
  readonly now?: () => number;
  /** Reuse a database file (restart tests); a fresh temp one otherwise. */
  readonly databasePath?: string;
  /** A postgres:// URL (test/support/postgres.ts freshSchema) instead of a SQLite file. */
  readonly postgresUrl?: string;
  /** Wraps the shared hasher, e.g. to count verifications. */
  readonly passwords?: (hasher: PasswordHasher) => PasswordHasher;
  /** The app makes its own hasher, timed in its metrics, as `serve` does (one more dummy hash); else it shares one. */
  readonly appHasher?: boolean;
  /** Where the app logs (a test that reads its lines); by default nowhere. */
  readonly logger?: FastifyBaseLogger;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const temp = options.databasePath || options.postgresUrl ? undefined : tempDir();
  const databasePath = options.postgresUrl ?? options.databasePath ?? join(temp!.dir, 'pacerpro.db');
  // The per-IP login limit is off unless a test turns it on: every test client is 127.0.0.1.
  const config = loadConfig({ DATABASE_URL: databasePath, LOG_LEVEL: 'silent', PACERPRO_IP_LOGIN_LIMIT: '0', ...options.env });
  // The store stamps jti and user times with the same clock the app reads.
  const clock = options.now ? { now: options.now } : {};
  const store = options.postgresUrl
    ? await openPostgresStore(config.databaseUrl, { ...clock, poolSize: config.dbPoolSize, devise: attachedTo(config) })
    : openSqliteStore(config.databaseUrl, clock);
  const hasher = await sharedHasher();
  const passwords = options.appHasher ? undefined : options.passwords ? options.passwords(hasher) : hasher;
  const app = await buildApp(config, {
    store,
    ...(passwords ? { passwords } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    store,
    port,
    url: `http://127.0.0.1:${port}`,
    databasePath,
    async addUser(email, password = PASSWORD) {
      const user = await store.users.createUser({ email, passwordHash: await hasher.hash(password), jti: randomUUID() });
      return user.id;
    },
    async close() {
      await app.close();
      await store.close();
      temp?.remove();
    },
  };
}

export interface RawResponse {
  readonly statusLine: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends several raw HTTP/1.1 requests on ONE keep-alive connection, exactly as written, and reads
 * the answers: for the quirks of the generated clients (no Content-Length, a Content-Type on GET).
 * Each request must get a response with Content-Length (ours always have one).
 */
export function rawRequests(port: number, requests: string[]): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const responses: RawResponse[] = [];
    let buffer = Buffer.alloc(0);
    let next = 0;
    const sendNext = () => socket.write(requests[next++]!);
    socket.on('connect', sendNext);
    socket.on('error', reject);
    socket.on('close', () =>
      responses.length === requests.length
        ? resolve(responses)
        : reject(new Error(`connection closed after ${responses.length} responses`)),
    );
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [statusLine = '', ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const i = line.indexOf(':');
          headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
        buffer = buffer.subarray(end + 4 + length);
        responses.push({ statusLine, status: Number(statusLine.split(' ')[1]), headers, body });
        if (responses.length === requests.length) socket.end();
        else sendNext();
      }
    });
  });
}

export function decodeJwt(token: string): { header: unknown; payload: Record<string, unknown>; headerJson: string; payloadJson: string } {
  const [h = '', p = ''] = token.split('.');
  const headerJson = Buffer.from(h, 'base64url').toString('utf8');
  const payloadJson = Buffer.from(p, 'base64url').toString('utf8');
  return { header: JSON.parse(headerJson), payload: JSON.parse(payloadJson), headerJson, payloadJson };
}

export async function login(url: string, body: unknown = { email: 'alice@example.com', password: PASSWORD }) {
  const res = await fetch(`${url}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json()) as Record<string, unknown> };
}

export async function call(url: string, method: 'GET' | 'DELETE', authorization?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  const res = await fetch(`${url}/v1/session`, { method, headers });
  return { res, json: (await res.json()) as Record<string, unknown> };
}

/** user0@example.com … in a SQLite file, all with PASSWORD; for tests that start `serve` on that file. */
export async function seedUsers(db: string, count: number): Promise<string[]> {
  const store = openSqliteStore(db);
  const hash = await (await sharedHasher()).hash(PASSWORD);
  const emails = Array.from({ length: count }, (_, i) => `user${i}@example.com`);
  for (const email of emails) await store.users.createUser({ email, passwordHash: hash, jti: randomUUID() });
  await store.close();
  return emails;
}

/** Logins, refreshes and the token check over one store, wired as app.ts wires them: domain tests without HTTP. */
export function sessionDomain(
  store: Store,
  options: {
    readonly passwords: PasswordHasher;
    readonly now: () => number;
    readonly ttlSeconds?: number;
    readonly sessionMaxAgeSeconds?: number;
    readonly loginMaxFailures?: number;
  },
) {
  const { passwords, now, ttlSeconds = 60, sessionMaxAgeSeconds = 86_400, loginMaxFailures = 10 } = options;
  const tokens = createTokenService({ secret: 'session-domain-test-secret-long-enough-0123456789', ttlSeconds, now });
  const jtis = createJtiMatcher(store);
  const sessions = createSessionService({
    store,
    passwords,
    tokens,
    jtis,
    sessionMaxAgeSeconds,
    loginMaxFailures,
    deviceCredentialTtlSeconds: 90 * 86_400,
    now,
  });
  return { tokens, sessions, authenticate: createAuthenticator({ store, tokens, jtis, sessionMaxAgeSeconds, now }) };
}
