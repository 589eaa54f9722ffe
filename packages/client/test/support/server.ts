// Starts the real PacerPro server (packages/server) on a free port, with its own SQLite file.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SERVER_BIN = join(REPO_ROOT, 'packages/server/bin/pacerpro-auth.js');

/** Known to the tests, so they can forge tokens (expired, badly signed) the real server must refuse. */
export const JWT_SECRET = 'client-tests-secret-that-is-long-enough-0123456789';

export const ALICE = { email: 'alice@example.com', password: 'correct horse battery' };
export const BOB = { email: 'bob@example.com', password: 'battery staple horse' };

/** A port nobody listens on right now: listen on port 0, read the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface ApiServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** origin + /v1, what the SDK calls basePath */
  basePath: string;
  addUser(email: string, password: string): void;
  stop(): Promise<void>;
}

export interface ApiServerOptions {
  /** PACERPRO_JWT_TTL, in seconds */
  jwtTtlSeconds?: number;
  /** PACERPRO_CORS_ORIGINS */
  corsOrigins?: string;
  /** PACERPRO_IP_LOGIN_LIMIT; default 0 (off), so that tests logging in often are never throttled by accident. */
  ipLoginLimitPerMinute?: number;
  /** PACERPRO_LOGIN_MAX_FAILURES: failed logins a lane allows before it is throttled. */
  loginMaxFailures?: number;
  /** Added before the server starts; default: alice and bob. */
  users?: { email: string; password: string }[];
}

export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const directory = await mkdtemp(join(tmpdir(), 'pacerpro-client-test-'));
  const databaseUrl = join(directory, 'db.sqlite');
  const addUser = (email: string, password: string) => {
    const result = spawnSync(process.execPath, [SERVER_BIN, 'users', 'add', email, '--password-stdin', '--database-url', databaseUrl], {
      input: `${password}\n`,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`users add ${email} failed: ${result.stderr}`);
  };
  for (const user of options.users ?? [ALICE, BOB]) addUser(user.email, user.password);

  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    PACERPRO_JWT_TTL: String(options.jwtTtlSeconds ?? 3600),
    PACERPRO_JWT_SECRET: JWT_SECRET,
    PACERPRO_IP_LOGIN_LIMIT: String(options.ipLoginLimitPerMinute ?? 0),
  };
  if (options.loginMaxFailures !== undefined) env.PACERPRO_LOGIN_MAX_FAILURES = String(options.loginMaxFailures);
  delete env.REDIS_URL; // each test server counts on its own
  if (options.corsOrigins) env.PACERPRO_CORS_ORIGINS = options.corsOrigins;
  const child = spawn(
    process.execPath,
    [SERVER_BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--database-url', databaseUrl],
    { env, stdio: ['ignore', 'inherit', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(origin, child, () => stderr);

  return {
    origin,
    basePath: `${origin}/v1`,
    addUser,
    async stop() {
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function waitUntilHealthy(origin: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${origin}/healthz`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not become healthy within 20 s: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts a server before the tests of the enclosing suite (or file) and stops it after them. */
export function useApiServer(options: ApiServerOptions = {}): () => ApiServer {
  let server: ApiServer | undefined;
  before(async () => {
    server = await startApiServer(options);
  });
  after(() => server?.stop());
  return () => server ?? assert.fail('the API server has not started');
}
