import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runBin, runCli, startServe } from '../support/cli.js';
import { PASSWORD, tempDir } from '../support/harness.js';
import { PG_URL, freshSchema, postgresSkip } from '../support/postgres.js';

// Mistakes an operator makes, run as the real bin: each gets one first line that names the fix, and
// leaves nothing behind.

const temp = tempDir();
after(() => temp.remove());

const firstLine = (text: string) => text.split('\n')[0];

test('a mistyped postgres DATABASE_URL stops users list (exit 1) instead of answering "no users" from a new SQLite file', async () => {
  const url = 'postgress://pacerpro:hunter2@127.0.0.1/test';
  const result = await runBin(['users', 'list'], { env: { DATABASE_URL: url }, cwd: temp.dir });
  assert.equal(result.code, 1);
  assert.equal(
    firstLine(result.stderr),
    'pacerpro-auth: DATABASE_URL has the scheme postgress://, which this server cannot use: expected a SQLite file path such as ' +
      './data/pacerpro.db (or sqlite:PATH, file:PATH, :memory:), or postgres://user:password@host:5432/database (postgresql:// too). ' +
      'Did you mean postgres://?',
  );
  assert.equal(result.stdout, '');
  assert.ok(!result.stderr.includes('hunter2'));
  assert.ok(!readdirSync(temp.dir).some((name) => name.startsWith('postgress')), 'no file was created');
});

test('a mysql:// DATABASE_URL stops serve (exit 1) before it listens or creates a file', async () => {
  const result = await runBin(['serve', '--port', '0'], { env: { DATABASE_URL: 'mysql://root@127.0.0.1/db' }, cwd: temp.dir });
  assert.equal(result.code, 1);
  assert.match(
    firstLine(result.stderr)!,
    /^pacerpro-auth: DATABASE_URL has the scheme mysql:\/\/, which this server cannot use: expected /,
  );
  assert.ok(!existsSync(`${temp.dir}/mysql:`));
});

// Start-up faults: each printed as one first line naming the setting or file, exit 1.

const isRoot = process.getuid?.() === 0;
const ROOT_ONLY = 'mounting a read-only tmpfs needs root';

async function serveFails(args: string[], env: Record<string, string> = {}, cwd = temp.dir) {
  const result = await runBin(['serve', ...args], { env, cwd });
  assert.equal(result.code, 1, result.stderr);
  return firstLine(result.stderr);
}

function readOnlyMount(): { dir: string; remount(): void; unmount(): void } {
  const dir = mkdtempSync(join(temp.dir, 'mnt-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir]);
  return {
    dir,
    remount: () => execFileSync('mount', ['-o', 'remount,ro', dir]),
    unmount: () => execFileSync('umount', [dir]),
  };
}

test('a port taken by another process names PORT and --port, not "listen EADDRINUSE"', async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as AddressInfo;
  try {
    assert.equal(
      await serveFails(['--port', String(port), '--database-url', join(temp.dir, 'port.db')]),
      `pacerpro-auth: PORT ${port}: 127.0.0.1:${port} is already in use by another process: stop that process, or choose another port with PORT or --port.`,
    );
  } finally {
    holder.close();
  }
});

test('a HOST that is no address of this machine names HOST and --host, not "getaddrinfo ENOTFOUND"', async () => {
  assert.match(
    (await serveFails(['--port', '0', '--database-url', join(temp.dir, 'host.db')], { HOST: '999.1.1.1' }))!,
    // ENOTFOUND where DNS answers, EAI_AGAIN where it cannot be reached: the same mistake either way.
    /^pacerpro-auth: HOST 999\.1\.1\.1 is not an address of this machine \((ENOTFOUND|EAI_AGAIN)\): set HOST or --host to one of its addresses, such as 127\.0\.0\.1, or 0\.0\.0\.0 to listen on all\.$/,
  );
});

test('a PostgreSQL role that does not exist names DATABASE_URL and how to fix it', async (t) => {
  const skip = await postgresSkip();
  if (skip) return t.skip(skip);
  const url = new URL(PG_URL);
  url.username = 'no_such_role_o18';
  assert.equal(
    await serveFails(['--port', '0'], { DATABASE_URL: url.toString() }),
    'pacerpro-auth: DATABASE_URL: PostgreSQL refused the connection: role "no_such_role_o18" does not exist: create that role in PostgreSQL (CREATE ROLE … LOGIN), or put an existing user in DATABASE_URL.',
  );
});

test('a postgres URL with a space names DATABASE_URL and the expected form, not "Invalid URL"', async () => {
  assert.equal(
    await serveFails(['--port', '0'], { DATABASE_URL: 'postgres://bad url' }),
    'pacerpro-auth: DATABASE_URL is not a valid URL: expected postgres://user:password@host:5432/database.',
  );
});

test('a text file as the database names its path, not only "file is not a database"', async () => {
  const path = join(temp.dir, 'notes.db');
  writeFileSync(path, 'hello\n');
  assert.equal(
    await serveFails(['--port', '0', '--database-url', path]),
    `pacerpro-auth: DATABASE_URL: ${path} is not a SQLite database (file is not a database): point DATABASE_URL at the right file, or move this one away to start a new database.`,
  );
  assert.equal(readFileSync(path, 'utf8'), 'hello\n', 'the file is left as it was');
});

test('a database path under a regular file says a part of it is a file, not "EEXIST/ENOTDIR mkdir"', async () => {
  const file = join(temp.dir, 'plain');
  writeFileSync(file, 'x');
  const path = join(file, 'sub', 'x.db');
  assert.equal(
    await serveFails(['--port', '0', '--database-url', path]),
    `pacerpro-auth: DATABASE_URL: cannot create the directory ${join(file, 'sub')} for the SQLite database ${path}: a part of it is a regular file, not a directory (ENOTDIR at ${join(file, 'sub')}): choose a path whose parents are directories.`,
  );
});

test('a missing directory on a read-only filesystem says the filesystem is read-only, not "ENOENT mkdir"', {
  skip: isRoot ? false : ROOT_ONLY,
}, async () => {
  const mount = readOnlyMount();
  try {
    mount.remount();
    const path = join(mount.dir, 'missing', 'x.db');
    assert.equal(
      await serveFails(['--port', '0', '--database-url', path]),
      `pacerpro-auth: DATABASE_URL: cannot create the directory ${join(mount.dir, 'missing')} for the SQLite database ${path}: the filesystem is read-only: choose a path on a writable filesystem.`,
    );
  } finally {
    mount.unmount();
  }
});

test('a data directory that cannot be written names the database path and its directory', {
  skip: isRoot ? false : ROOT_ONLY,
}, async () => {
  // Root ignores file modes, so the directory is made unwritable by a read-only mount instead.
  const mount = readOnlyMount();
  const path = join(mount.dir, 'pacerpro.db');
  try {
    const added = await runCli(['users', 'add', 'a@example.com', '--password-stdin', '--database-url', path], { stdin: `${PASSWORD}\n` });
    assert.equal(added.code, 0, added.stderr);
    mount.remount();
    assert.equal(
      await serveFails(['--port', '0', '--database-url', path]),
      `pacerpro-auth: DATABASE_URL: cannot open or create the SQLite database ${path} (unable to open database file): give this process write access to its directory ${mount.dir}, or point DATABASE_URL at a writable path.`,
    );
  } finally {
    mount.unmount();
  }
});

// Usage errors: the CLI's own words, pointing at the command's --help, exit 2.

test("a mistyped option names it and the command's --help, not parseArgs' advice about '--'", async () => {
  const result = await runCli(['users', 'list', '--jsn', '--database-url', join(temp.dir, 'usage.db')]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, "pacerpro-auth: Unknown option '--jsn': see 'pacerpro-auth users list --help'\n");
  assert.ok(!existsSync(join(temp.dir, 'usage.db')));
});

test("audit --limit -3 says what a valid limit is, not '--limit=-XYZ'", async () => {
  const result = await runCli(['audit', '--limit', '-3', '--database-url', join(temp.dir, 'usage.db')]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    "pacerpro-auth: --limit needs a value (a whole number of events from 1 to 100000, e.g. --limit 50), but was given '-3': see 'pacerpro-auth audit --help'\n",
  );
});

// Which database a command used, on stderr; only commands that create data create a database.

test('users list at a path with no database refuses (exit 1) instead of creating an empty one that looks like a lost user base', async () => {
  const path = join(temp.dir, 'typo', 'pacerpro.db');
  const result = await runCli(['users', 'list', '--database-url', path]);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    `pacerpro-auth: no database at SQLite ${path} (DATABASE_URL): check DATABASE_URL or --database-url, and the directory you run from; only users add and import create a database\n`,
  );
  assert.equal(result.stdout, '');
  assert.ok(!existsSync(join(temp.dir, 'typo')), 'nothing was created');
  const audit = await runCli(['audit', '--database-url', path]);
  assert.equal(audit.code, 1);
  assert.ok(!existsSync(join(temp.dir, 'typo')));
});

test('users add says it created a new database, with its absolute path; the next command names the same file', async () => {
  const added = await runBin(['users', 'add', 'a@example.com', '--password-stdin', '--database-url', 'made.db'], {
    stdin: `${PASSWORD}\n`,
    cwd: temp.dir,
  });
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stderr, `pacerpro-auth: created a new database: SQLite ${join(temp.dir, 'made.db')}\n`);
  const listed = await runBin(['users', 'list', '--database-url', 'made.db'], { cwd: temp.dir });
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(listed.stderr, `pacerpro-auth: database: SQLite ${join(temp.dir, 'made.db')}\n`);
});

test('a PostgreSQL database is named by its URL without the password', async (t) => {
  const skip = await postgresSkip();
  if (skip) return t.skip(skip);
  const schema = await freshSchema();
  try {
    const url = new URL(schema.url);
    url.password = 'hunter2'; // trust auth here: the server ignores it
    const result = await runCli(['audit', '--limit', '1'], { env: { DATABASE_URL: url.toString() } });
    assert.equal(result.code, 0, result.stderr);
    url.password = '';
    assert.equal(firstLine(result.stderr), `pacerpro-auth: database: PostgreSQL ${url.toString()}`);
    assert.ok(!result.stderr.includes('hunter2'));
  } finally {
    await schema.drop();
  }
});

test('serve --help shows each default beside its setting', async () => {
  const result = await runCli(['serve', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /\n {2}--port +PORT +TCP port to listen on \(default 3000\)\n/);
  assert.match(result.stdout, /\n {2}--database-url +DATABASE_URL +.* \(default \.\/data\/pacerpro\.db\)\n/);
  assert.match(result.stdout, /\n {2}--tls-cert +PACERPRO_TLS_CERT +[^\n]*HTTPS\n/, 'an unset setting shows no default');
});

test('a second Ctrl-C during shutdown logs what it dropped before exiting 1, instead of exiting silently', async () => {
  const serve = await startServe(['--database-url', join(temp.dir, 'signals.db')]);
  const { port } = new URL(serve.url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  // "100 Continue" proves the server has parsed the request: before that the connection is idle,
  // and the first Ctrl-C would rightly close it and exit 0 before the second one arrives.
  const parsed = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.write(
    'POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n',
  );
  await parsed;
  socket.write('{');
  serve.child.kill('SIGINT');
  await until(() => serve.output().includes('shutting down'));
  serve.child.kill('SIGINT');
  assert.equal(await serve.exited, 1);
  socket.destroy();
  assert.match(
    serve.output(),
    /"msg":"second SIGINT: exiting now without waiting; 1 open connection\(s\) dropped, with any request in flight on them"/,
  );
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
