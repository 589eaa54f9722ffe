import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { BIN, afterDatabaseNote, cliEnv, runBin, runCli } from '../support/cli.js';
import { PASSWORD, tempDir } from '../support/harness.js';

// Every `pacerpro-auth users …` command against a real SQLite file (serve and the terminal prompt as the real bin).

const temp = tempDir();
const db = join(temp.dir, 'cli.db');
const users = (args: string[], stdin?: string, env: Record<string, string> = {}) =>
  runCli(['users', ...args, '--database-url', db], { ...(stdin === undefined ? {} : { stdin }), env });

async function readUser(email: string) {
  const store = openSqliteStore(db);
  try {
    return await store.users.findUserByEmail(email);
  } finally {
    await store.close();
  }
}

after(() => temp.remove());

describe('users add', () => {
  test('adds a user with the password from stdin; the first is id 1', async () => {
    const result = await users(['add', 'Alice@Example.com', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'added Alice@Example.com (id 1)\n');
    const user = await readUser('alice@example.com');
    assert.equal(user?.id, 1);
    assert.match(user!.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const hasher = await createPasswordHasher();
    assert.equal(await hasher.verify(user!.passwordHash, PASSWORD), true, 'the trailing newline is not part of the password');
  });

  test('--json prints the user for scripts, never its hash or jti', async () => {
    const result = await users(['add', 'bob@example.com', '--password-stdin', '--json'], PASSWORD);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), ['createdAt', 'email', 'id', 'locked', 'updatedAt']);
    assert.equal(json.id, 2);
    assert.equal(json.locked, false);
  });

  test('a duplicate e-mail (any case, any spaces) fails with one line', async () => {
    const result = await users(['add', ' ALICE@example.com ', '--password-stdin'], PASSWORD);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(afterDatabaseNote(result.stderr), 'pacerpro-auth: a user with the e-mail ALICE@example.com already exists\n');
  });

  test('refuses a short password, the e-mail as password, a bad e-mail, and no way to read a password', async () => {
    const short = await users(['add', 'carol@example.com', '--password-stdin'], 'short');
    assert.equal(short.code, 1);
    assert.match(afterDatabaseNote(short.stderr), /^pacerpro-auth: the password must be at least 12 characters long\n$/);
    const same = await users(['add', 'carol.long@example.com', '--password-stdin'], 'carol.long@example.com');
    assert.equal(same.code, 1);
    assert.match(same.stderr, /must not be the e-mail address/);
    const bad = await users(['add', 'not-an-email', '--password-stdin'], PASSWORD);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"not-an-email" is not an e-mail address/);
    const noTty = await users(['add', 'carol@example.com']);
    assert.equal(noTty.code, 1);
    assert.match(noTty.stderr, /no terminal to prompt for the password on: pipe it in and pass --password-stdin/);
    assert.equal(await readUser('carol@example.com'), undefined, 'nothing was written');
  });

  test('an empty --password-stdin to passwd shows the passwd command line, not the users add one', async () => {
    assert.equal((await users(['add', 'pat@example.com', '--password-stdin'], `${PASSWORD}\n`)).code, 0);
    const before = (await readUser('pat@example.com'))!.passwordHash;
    const result = await users(['passwd', 'pat@example.com', '--password-stdin'], '');
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `pacerpro-auth: no password was read from standard input: pipe one in, e.g. printf '%s\\n' "$PASSWORD" | pacerpro-auth users passwd EMAIL --password-stdin\n`,
    );
    assert.equal((await readUser('pat@example.com'))!.passwordHash, before, 'the password is unchanged');
  });

  test('a password is never taken from argv', async () => {
    const result = await users(['add', 'carol@example.com', '--password', PASSWORD]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'pacerpro-auth: --password: passwords never come from the command line: pipe the password in with --password-stdin, or leave it out to be prompted\n',
    );
    assert.ok(!result.stderr.includes(PASSWORD));
  });

  test('an empty --password-stdin says no password was read, not that it is too short', async () => {
    const result = await users(['add', 'carol@example.com', '--password-stdin'], '');
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `pacerpro-auth: no password was read from standard input: pipe one in, e.g. printf '%s\\n' "$PASSWORD" | pacerpro-auth users add EMAIL --password-stdin\n`,
    );
    assert.equal(await readUser('carol@example.com'), undefined, 'nothing was written');
  });

  test('a password piped twice, as the prompt asks for it, is refused instead of becoming a two-line password nobody can type', async () => {
    const result = await users(['add', 'carol@example.com', '--password-stdin'], `${PASSWORD}\n${PASSWORD}\n`);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `pacerpro-auth: standard input held more than one line: --password-stdin reads the password once, on one line, e.g. printf '%s\\n' "$PASSWORD" | pacerpro-auth users add EMAIL --password-stdin; nothing was changed\n`,
    );
    assert.ok(!result.stderr.includes(PASSWORD));
    assert.equal(await readUser('carol@example.com'), undefined, 'nothing was written');
  });

  test('prompts for the password on a terminal without echoing it', async () => {
    // `script` gives the CLI a real pseudo-terminal; what it prints is what a person would see.
    const command = `${process.execPath} ${BIN} users add dave@example.com --database-url ${db}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      if (/Password: $/.test(screen)) child.stdin.write(`${PASSWORD}\r`);
      if (/Repeat password: $/.test(screen)) child.stdin.write(`${PASSWORD}\r`);
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, screen);
    assert.match(screen, /added dave@example\.com \(id \d+\)/);
    assert.ok(!screen.includes(PASSWORD), 'the password was echoed');
    const hasher = await createPasswordHasher();
    assert.equal(await hasher.verify((await readUser('dave@example.com'))!.passwordHash, PASSWORD), true);
  });
});

describe('the other users commands', () => {
  before(async () => {
    const result = await users(['add', 'erin@example.com', '--password-stdin'], PASSWORD);
    assert.equal(result.code, 0, result.stderr);
  });

  test('list, as text and as JSON', async () => {
    const text = await users(['list']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^id\temail\tstatus\n1\tAlice@Example\.com\tactive\n2\tbob@example\.com\tactive\n/);
    const json = JSON.parse((await users(['list', '--json'])).stdout) as Array<{ email: string }>;
    assert.deepEqual(json.map((u) => u.email).slice(0, 2), ['Alice@Example.com', 'bob@example.com']);
  });

  test('passwd replaces the hash and spins the jti', async () => {
    const before = (await readUser('erin@example.com'))!;
    const result = await users(['passwd', 'erin@example.com', '--password-stdin'], 'a brand new passphrase');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `password changed, sessions revoked for erin@example.com (id ${before.id})\n`);
    const after = (await readUser('erin@example.com'))!;
    assert.notEqual(after.jti, before.jti);
    const hasher = await createPasswordHasher();
    assert.equal(await hasher.verify(after.passwordHash, 'a brand new passphrase'), true);
  });

  test('lock and unlock', async () => {
    assert.equal((await users(['lock', 'erin@example.com'])).code, 0);
    assert.deepEqual((await readUser('erin@example.com'))!.lock, { kind: 'locked' });
    assert.equal((await users(['list'])).stdout.includes('erin@example.com\tlocked'), true);
    assert.equal((await users(['unlock', 'ERIN@example.com'])).code, 0);
    assert.deepEqual((await readUser('erin@example.com'))!.lock, { kind: 'open' });
  });

  test('revoke spins the jti', async () => {
    const before = (await readUser('erin@example.com'))!;
    const result = await users(['revoke', 'erin@example.com', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { email: string }).email, 'erin@example.com');
    assert.notEqual((await readUser('erin@example.com'))!.jti, before.jti);
  });

  test('delete removes the user; a second delete fails', async () => {
    assert.equal((await users(['delete', 'erin@example.com'])).code, 0);
    assert.equal(await readUser('erin@example.com'), undefined);
    const again = await users(['delete', 'erin@example.com']);
    assert.equal(again.code, 1);
    assert.equal(afterDatabaseNote(again.stderr), 'pacerpro-auth: no user with the e-mail erin@example.com\n');
  });

  test('every command on an unknown user fails with one line', async () => {
    for (const action of ['lock', 'unlock', 'revoke', 'delete']) {
      const result = await users([action, 'ghost@example.com']);
      assert.equal(result.code, 1, action);
      assert.equal(afterDatabaseNote(result.stderr), 'pacerpro-auth: no user with the e-mail ghost@example.com\n', action);
    }
    const passwd = await users(['passwd', 'ghost@example.com', '--password-stdin'], PASSWORD);
    assert.equal(passwd.code, 1);
    assert.equal(afterDatabaseNote(passwd.stderr), 'pacerpro-auth: no user with the e-mail ghost@example.com\n');
  });

  test('a locked database fails clearly after the busy timeout', async () => {
    const holder = new Database(db);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const result = await users(['add', 'frank@example.com', '--password-stdin'], PASSWORD, { PACERPRO_SQLITE_BUSY_TIMEOUT_MS: '50' });
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        'pacerpro-auth: the SQLite database is locked by another process (waited 50 ms); retry, or stop the other writer\n',
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});

describe('usage and configuration errors', () => {
  test('--help and --version', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /users revoke EMAIL/);
    const serveHelp = await runCli(['serve', '--help']);
    assert.match(serveHelp.stdout, /--jwt-ttl\s+PACERPRO_JWT_TTL/);
    const version = await runCli(['--version']);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  test('unknown commands and missing arguments exit 2 with one line', async () => {
    for (const args of [['frobnicate'], ['users'], ['users', 'add'], ['users', 'fly', 'a@b.c'], ['users', 'list', 'extra']]) {
      const result = await runCli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
      assert.match(result.stderr, /^pacerpro-auth: /);
    }
  });

  const badConfig: Array<[string[], Record<string, string>, RegExp]> = [
    [[], { PACERPRO_JWT_TTL: 'soon' }, /^pacerpro-auth: PACERPRO_JWT_TTL="soon" is not valid: expected an integer number of seconds/],
    [[], { PACERPRO_JWT_SECRET: 'short' }, /^pacerpro-auth: PACERPRO_JWT_SECRET=\(5 bytes\) is not valid: expected at least 32 bytes/],
    [[], { PORT: '70000' }, /^pacerpro-auth: PORT="70000" is not valid: expected an integer from 0 to 65535/],
    [['--port', 'http'], {}, /^pacerpro-auth: --port="http" is not valid/],
    [[], { LOG_LEVEL: 'loud' }, /^pacerpro-auth: LOG_LEVEL="loud" is not valid: expected one of fatal, error/],
    [[], { PACERPRO_CORS_ORIGINS: 'https://app.example.com/' }, /^pacerpro-auth: PACERPRO_CORS_ORIGINS=.* is not valid/],
  ];
  for (const [args, env, message] of badConfig) {
    test(`a bad setting stops start-up and names itself: ${Object.keys(env)[0] ?? args[0]}`, async () => {
      const result = await runBin(['serve', '--database-url', join(temp.dir, 'never.db'), ...args], { env });
      assert.equal(result.code, 1);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
    });
  }
});
