// The `pacerpro` command against the real server, with a temporary XDG_CONFIG_HOME. Most tests run its
// main() in this process (a process per command line made this file the slowest of the suite); the
// real bin shim runs as its own process where that is the point: its exit status, and a terminal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, beforeEach, describe, it } from 'node:test';
import { main } from '../src/cli.js';
import { AuthenticationApi, ApiError } from '../src/index.js';
import { expiredCopy } from './support/jwt.js';
import { ALICE, BOB, freePort, JWT_SECRET, REPO_ROOT, useApiServer } from './support/server.js';

const BIN = join(REPO_ROOT, 'packages/client/bin/pacerpro.js');
const server = useApiServer();
let configHome: string;
let sessionFile: string;

after(() => rm(configHome, { recursive: true, force: true }));
beforeEach(async () => {
  if (configHome) await rm(configHome, { recursive: true, force: true });
  configHome = await mkdtemp(join(tmpdir(), 'pacerpro-cli-test-'));
  sessionFile = join(configHome, 'pacerpro', 'session.json');
});

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

async function pacerpro(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: configHome, ...options.env };
  if (!options.env?.PACERPRO_BASE_URL) delete env.PACERPRO_BASE_URL;
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const status = await main(args, { stdin: new PassThrough().end(options.input ?? ''), stdout, stderr, env });
  const [out, err] = await Promise.all([text(stdout.end()), text(stderr.end())]);
  return { status, stdout: out, stderr: err };
}

/** The real bin, as a shell runs it. */
function pacerproProcess(args: string[]): Promise<Result> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, XDG_CONFIG_HOME: configHome }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end();
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

const loginArgs = (user = ALICE) => ['login', '--base-url', server().basePath, '--email', user.email, '--password-stdin'];
const login = (user = ALICE) => pacerpro(loginArgs(user), { input: `${user.password}\n` });
const savedSession = async () => JSON.parse(await readFile(sessionFile, 'utf8')) as Record<string, string>;
/** Logged out: the file holds no token, only the server and the device credentials (still 0600). */
async function assertLoggedOut(): Promise<void> {
  const kept = await savedSession();
  assert.deepEqual(Object.keys(kept).sort(), ['basePath', 'devices']);
  assert.equal((await stat(sessionFile)).mode & 0o777, 0o600);
}
const api = (token: string) => new AuthenticationApi({ basePath: server().basePath, apiKey: token });
const refused = (token: string) => assert.rejects(api(token).sessionGet(), (e: unknown) => e instanceof ApiError && e.code === 401);

function assertFailure(result: Result, status: number, message: RegExp) {
  assert.equal(result.status, status, result.stderr);
  assert.match(result.stderr, message);
  assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
  assert.equal(result.stdout, '');
}

describe('pacerpro', () => {
  it('the bin prints what main prints and exits with its status', async () => {
    assert.deepEqual(await pacerproProcess(['--version']), { status: 0, stdout: 'pacerpro 0.1.0\n', stderr: '' });
    assertFailure(await pacerproProcess(['frobnicate']), 2, /^pacerpro: unknown command 'frobnicate'/);
  });

  it('prints its version and help for everything', async () => {
    for (const flag of ['--version', '-V', '-v']) assert.equal((await pacerpro([flag])).stdout, 'pacerpro 0.1.0\n', flag);
    const help = await pacerpro(['--help']);
    assert.equal(help.status, 0);
    for (const command of ['login', 'refresh', 'status', 'token', 'logout']) {
      assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
      const own = await pacerpro([command, '--help']);
      assert.equal(own.status, 0);
      assert.match(own.stdout, new RegExp(`^Usage: pacerpro ${command}`));
    }
    assert.match((await pacerpro(['help', 'login'])).stdout, /--password-stdin/);
  });

  it('refuses a wrong command line with status 2', async () => {
    assert.equal((await pacerpro([])).status, 2);
    assertFailure(await pacerpro(['frobnicate']), 2, /unknown command 'frobnicate'/);
    assertFailure(await pacerpro(['token', '--email', 'x']), 2, /Unknown option '--email'.*pacerpro token --help/);
    assertFailure(await pacerpro(['login', '--base-url', 'ftp://example.com']), 2, /not an http\(s\) URL/);
    assertFailure(await pacerpro(['login', '--base-url', server().basePath]), 2, /pass --email/);
    assertFailure(
      await pacerpro(['login', '--base-url', server().basePath, '--email', ALICE.email]),
      2,
      /not a terminal: pass --password-stdin/,
    );
  });

  it('logs in, keeping the session in a 0600 file in a 0700 directory, written whole', async () => {
    const result = await login();
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^Logged in as ${ALICE.email} at ${server().basePath}; the session expires at .* \\(in (\\d+[dhms] ?)+\\)\\.\\n$`),
    );
    assert.equal((await stat(sessionFile)).mode & 0o777, 0o600);
    assert.equal((await stat(join(configHome, 'pacerpro'))).mode & 0o777, 0o700);
    assert.deepEqual(await readdir(join(configHome, 'pacerpro')), ['session.json']); // no temporary file left
    const saved = await savedSession();
    assert.equal(saved.email, ALICE.email);
    assert.equal(saved.basePath, server().basePath);
    await api(saved.jwtToken!).sessionGet();
  });

  it('shows the status, prints the token, refreshes and logs out, using the saved base URL', async () => {
    await login();
    const status = await pacerpro(['status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(`^Logged in as ${ALICE.email} at ${server().basePath}\\nSession expires at \\S+Z \\(in (\\d+[dhms] ?)+\\)\\n$`),
    );

    const token = await pacerpro(['token']);
    assert.equal(token.status, 0, token.stderr);
    assert.equal(token.stdout, `${(await savedSession()).jwtToken}\n`);

    const refresh = await pacerpro(['refresh']);
    assert.equal(refresh.status, 0, refresh.stderr);
    assert.match(refresh.stdout, /^Session refreshed; it expires at /);
    const refreshed = (await savedSession()).jwtToken!;
    await api(refreshed).sessionGet();

    const logout = await pacerpro(['logout']);
    assert.equal(logout.status, 0, logout.stderr);
    assert.match(logout.stdout, /^Logged out alice@example.com/);
    await assertLoggedOut();
    await refused(refreshed);

    assertFailure(await pacerpro(['token']), 1, /^pacerpro: not logged in: run `pacerpro login`$/m);
    assertFailure(await pacerpro(['status']), 1, /not logged in: run `pacerpro login`/);
    assert.match((await pacerpro(['logout'])).stdout, /Not logged in/);
  });

  it('logout with an expired saved session says the other sessions were not revoked, not a silent logout that left them live', async () => {
    await login(BOB);
    const otherDevice = await new AuthenticationApi({ basePath: server().basePath }).sessionPost(BOB);
    const saved = await savedSession();
    const expired = expiredCopy(saved.jwtToken!, JWT_SECRET);
    await writeFile(sessionFile, JSON.stringify({ ...saved, jwtToken: expired.jwtToken, expiresAt: expired.expiresAt.toISOString() }));
    assertFailure(
      await pacerpro(['logout']),
      1,
      /^pacerpro: the saved session had expired, so the account's other sessions were not revoked: run `pacerpro login`, then `pacerpro logout`$/m,
    );
    await assertLoggedOut();
    assert.ok(await api(otherDevice.jwtToken).sessionGet()); // still live: only a new login can revoke it
  });

  it('keeps the device credential and the server across a logout, so the next login goes there and sends it', async () => {
    assert.equal((await login()).status, 0);
    const devices = (await savedSession()).devices as unknown as Record<string, string>;
    assert.deepEqual(Object.keys(devices), [`${server().basePath} ${ALICE.email}`]);
    assert.match(Object.values(devices)[0]!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await pacerpro(['logout'])).status, 0);
    // No --base-url: the login that follows a logout goes to the server of the last session.
    const again = await pacerpro(['login', '--email', ALICE.email, '--password-stdin'], { input: `${ALICE.password}\n` });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^Logged in as ${ALICE.email} at ${server().basePath};`));
    assert.deepEqual((await savedSession()).devices, devices, 'the server kept the credential it was sent, and so did the file');
  });

  it('logout --forget-device also forgets the device credential, which a plain logout keeps', async () => {
    assert.equal((await login()).status, 0);
    assert.equal(Object.keys((await savedSession()).devices ?? {}).length, 1);
    const result = await pacerpro(['logout', '--forget-device']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal((await savedSession()).devices, undefined);
  });

  it('says so when the password is wrong, and saves nothing', async () => {
    const result = await pacerpro(loginArgs(), { input: 'not the password\n' });
    assertFailure(result, 1, /^pacerpro: login refused \(401 Unauthorized\): .+$/m);
    await assert.rejects(stat(sessionFile), { code: 'ENOENT' });
  });

  it('says it cannot reach the server when nothing listens there', async () => {
    const down = `http://127.0.0.1:${await freePort()}/v1`;
    const result = await pacerpro(['login', '--base-url', down, '--email', ALICE.email, '--password-stdin'], { input: 'x\n' });
    assertFailure(result, 1, new RegExp(`^pacerpro: cannot reach ${down}: connect ECONNREFUSED`));
  });

  it('tells to log in again when the session was revoked elsewhere', async () => {
    await login(BOB);
    await api((await savedSession()).jwtToken!).sessionDelete();
    assertFailure(await pacerpro(['refresh']), 1, /^pacerpro: the session has expired or was revoked: run `pacerpro login`$/m);
    await assertLoggedOut();
  });

  it('token refreshes a saved session that expires within a minute, not printing a token about to expire', async () => {
    await login();
    const saved = await savedSession();
    const soon = new Date(Date.now() + 30_000).toISOString();
    await writeFile(sessionFile, JSON.stringify({ ...saved, expiresAt: soon }));
    const result = await pacerpro(['token']);
    assert.equal(result.status, 0, result.stderr);
    const refreshed = await savedSession();
    assert.equal(result.stdout, `${refreshed.jwtToken}\n`);
    assert.ok(Date.parse(refreshed.expiresAt!) > Date.parse(soon), 'the saved expiry moved on');
    await api(refreshed.jwtToken!).sessionGet();
  });

  it('tells to log in again when the saved session has expired', async () => {
    await login();
    const saved = await savedSession();
    const { jwtToken, expiresAt } = expiredCopy(saved.jwtToken!, JWT_SECRET);
    await writeFile(sessionFile, JSON.stringify({ ...saved, jwtToken, expiresAt: expiresAt.toISOString() }));
    assertFailure(await pacerpro(['status']), 1, /the session expired at .* \(\d+m \d+s ago\): run `pacerpro login`/);
    assertFailure(await pacerpro(['token']), 1, /the session has expired or was revoked: run `pacerpro login`/);
  });

  it('takes the base URL from --base-url, then PACERPRO_BASE_URL, then the saved session', async () => {
    const down = `http://127.0.0.1:${await freePort()}/v1`;
    const viaEnv = await pacerpro(['login', '--email', ALICE.email, '--password-stdin'], {
      input: ALICE.password,
      env: { PACERPRO_BASE_URL: server().basePath },
    });
    assert.equal(viaEnv.status, 0, viaEnv.stderr);
    const flagWins = await pacerpro(loginArgs(), { input: ALICE.password, env: { PACERPRO_BASE_URL: down } });
    assert.equal(flagWins.status, 0, flagWins.stderr);
    assertFailure(await pacerpro(['refresh'], { env: { PACERPRO_BASE_URL: down } }), 1, /not logged in/);
    assert.equal((await pacerpro(['refresh'])).status, 0);
  });

  it('reports a damaged session file, and a new login replaces it', async () => {
    await mkdir(join(configHome, 'pacerpro'), { recursive: true });
    await writeFile(sessionFile, '{"jwtToken":');
    assertFailure(await pacerpro(['status']), 1, /session\.json is not a PacerPro session file/);
    assert.equal((await login()).status, 0);
    assert.equal((await pacerpro(['status'])).status, 0);
  });

  it('asks for the e-mail and, without echoing it, the password on a terminal', async () => {
    // script(1) gives the command a pseudo-terminal; what it prints is what the user would see.
    const command = `'${process.execPath}' '${BIN}' login --base-url '${server().basePath}'`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, XDG_CONFIG_HOME: configHome }, stdio: 'pipe' });
    let screen = '';
    const waitFor = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => screen.includes(text) && (child.stdout.off('data', check), resolve());
        child.stdout.on('data', check);
        check();
      });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await waitFor('E-mail: ');
    child.stdin.write(`${ALICE.email}\r`);
    await waitFor('Password: ');
    child.stdin.write(`${ALICE.password}\r`);
    assert.equal(await exited, 0, screen);
    assert.match(screen, /Logged in as alice@example.com/);
    assert.ok(!screen.includes(ALICE.password), `the password was echoed: ${screen}`);
    assert.equal((await savedSession()).email, ALICE.email);
  });
});

describe('pacerpro against a throttling server', () => {
  const throttled = useApiServer({ ipLoginLimitPerMinute: 1 });

  it('says when to try again', async () => {
    const args = (email: string) => ['login', '--base-url', throttled().basePath, '--email', email, '--password-stdin'];
    assert.equal((await pacerpro(args(ALICE.email), { input: ALICE.password })).status, 0);
    // Another account: alice's device credential would let her past the per-IP limit.
    assertFailure(
      await pacerpro(args(BOB.email), { input: BOB.password }),
      1,
      /^pacerpro: too many attempts \(429 Too Many Requests\): try again in \d+ s$/m,
    );
  });
});
