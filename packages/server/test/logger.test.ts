import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { CENSOR, censorSecrets, createLogger, fdDestination, logLinesDropped } from '../src/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { PASSWORD, sharedHasher, tempDir } from './support/harness.js';

// Logs never contain the Authorization header, passwords or tokens: at the most verbose level,
// through every route, including failures and server errors.

function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('trace', stream) };
}

test('no token, password or Authorization header reaches the log', async () => {
  const temp = tempDir();
  const { lines, logger } = memoryLog();
  const store = openSqliteStore(`${temp.dir}/log.db`);
  const config = loadConfig({
    DATABASE_URL: `${temp.dir}/log.db`,
    LOG_LEVEL: 'trace',
    PACERPRO_JWT_SECRET: 'log-test-secret-log-test-secret-0123',
  });
  const passwords = await sharedHasher();
  await store.users.createUser({ email: 'alice@example.com', passwordHash: await passwords.hash(PASSWORD), jti: crypto.randomUUID() });
  const app = await buildApp(config, { store, passwords, logger });
  // A route that fails unexpectedly, so the 500 path (which logs the error) is covered too.
  app.get('/boom', async (request) => {
    request.log.info({ headers: request.headers, body: { user: { password: PASSWORD } } }, 'a careless log call');
    throw new Error('unexpected');
  });

  const json = { 'content-type': 'application/json' };
  const loggedIn = await app.inject({
    method: 'POST',
    url: '/v1/session',
    headers: json,
    payload: { email: 'alice@example.com', password: PASSWORD },
  });
  const token = loggedIn.json<{ jwtToken: string }>().jwtToken;
  await app.inject({
    method: 'POST',
    url: '/v1/session',
    headers: json,
    payload: { user: { email: 'alice@example.com', password: 'wrong password here' } },
  });
  await app.inject({ method: 'POST', url: '/v1/session', headers: json, payload: `{"email":"alice@example.com","password":"${PASSWORD}"` });
  await app.inject({ method: 'GET', url: '/v1/session', headers: { ...json, authorization: `Bearer ${token}` } });
  // A careless client that puts its token in the query string too.
  await app.inject({ method: 'GET', url: `/v1/session?token=${token}&x=1`, headers: { authorization: `Bearer ${token}` } });
  const boom = await app.inject({ method: 'GET', url: '/boom', headers: { authorization: `Bearer ${token}` } });
  assert.equal(boom.statusCode, 500);
  assert.equal(boom.json<{ code: string }>().code, 'internal_error');
  await app.inject({ method: 'DELETE', url: '/v1/session', headers: { ...json, authorization: `Bearer ${token}` } });
  await app.close();
  await store.close();
  temp.remove();

  const log = lines.join('');
  assert.ok(lines.length > 10, 'the requests were logged');
  assert.match(log, /"a careless log call"/);
  assert.match(log, /\[redacted\]/);
  assert.match(log, /"url":"\/v1\/session\?token=\[redacted\]&x=\[redacted\]"/);
  for (const secret of [token, token.split('.')[2]!, PASSWORD, 'wrong password here', 'Bearer ', 'log-test-secret']) {
    assert.equal(log.includes(secret), false, `the log contains ${secret.slice(0, 12)}…`);
  }
});

test('censorSecrets: credentials at the top and one level down, without touching what was logged', () => {
  const error = Object.assign(new Error('refused'), { token: 'a.b.c' });
  const headers = { authorization: 'Bearer a.b.c', 'user-agent': 'curl' };
  const line = { password: 'hunter2', user: { email: 'a@b.c', jwtToken: 'a.b.c' }, err: error, headers, ids: [1, 2], n: 1 };
  const out = censorSecrets(line);
  assert.deepEqual(
    { password: out.password, user: out.user, headers: out.headers, ids: out.ids, n: out.n },
    {
      password: CENSOR,
      user: { email: 'a@b.c', jwtToken: CENSOR },
      headers: { authorization: CENSOR, 'user-agent': 'curl' },
      ids: [1, 2],
      n: 1,
    },
  );
  // An error stays an error, with its message and stack, so pino's error serializer still reads it.
  const censoredError = out.err as Error & { token: string };
  assert.ok(censoredError instanceof Error);
  assert.equal(censoredError.message, 'refused');
  assert.equal(censoredError.stack, error.stack);
  assert.equal(censoredError.token, CENSOR);
  // The caller's objects are unchanged.
  assert.equal(line.password, 'hunter2');
  assert.equal(line.user.jwtToken, 'a.b.c');
  assert.equal(error.token, 'a.b.c');
  assert.equal(headers.authorization, 'Bearer a.b.c');
});

test('censorSecrets copies nothing when there is nothing to censor (the audit line of every refresh)', () => {
  const audit = { event: 'session_refreshed', userId: 7, ip: '127.0.0.1', userAgent: 'curl', requestId: 'r-1' };
  const line = { audit, bytes: Buffer.from('password') };
  const out = censorSecrets(line);
  assert.equal(out, line);
  assert.equal(out.audit, audit);
});

test('the default destination: stdout as UTF-8, every line written before process.exit, in order', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const logger = new URL('../src/logger.ts', import.meta.url).href;
  // Enough lines that most wait behind a write in progress, then an exit with no chance to drain.
  const script = `const { createLogger } = await import(${JSON.stringify(logger)});
    const log = createLogger('info');
    for (let i = 0; i < 2000; i++) log.info({ i, password: 'hunter2' }, 'café ✓');
    process.exit(0);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    maxBuffer: 1 << 24,
  });
  const lines = stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { i: number; password: string; msg: string });
  assert.equal(lines.length, 2000);
  assert.deepEqual(
    lines.map((l) => l.i),
    Array.from({ length: 2000 }, (_, i) => i),
  );
  assert.ok(lines.every((l) => l.msg === 'café ✓' && l.password === CENSOR));
});

test('a log output nobody reads holds a bounded buffer, whatever the load: later lines are dropped, counted and reported once it is read again', {
  timeout: 10_000,
}, async () => {
  const { execFileSync } = await import('node:child_process');
  const { closeSync, constants, createReadStream, openSync, writeSync } = await import('node:fs');
  const temp = tempDir();
  const fifo = `${temp.dir}/stdout`;
  execFileSync('mkfifo', [fifo]);
  // Opened for reading and writing, a FIFO needs no reader to open; nobody reads it, so after the
  // kernel's 64 KiB every write fails with EAGAIN, as stdout does under a stalled log collector.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  // Filled before the first line, so no write of the logger's can succeed until the reader reads: on
  // a loaded machine its first write used to complete only after drops had begun, and the lines
  // kept and the report then depended on when it did.
  const junk = Buffer.from(`${'#'.repeat(4095)}\n`); // one pipe page: written whole or not at all
  try {
    for (;;) writeSync(fd, junk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
  }
  const bufferBytes = 128 * 1024;
  const logger = createLogger('info', fdDestination(fd, bufferBytes));
  const before = logLinesDropped();

  // A few lines a turn, as requests bring them, so sonic-boom fills the pipe and meets EAGAIN first.
  const written = 4000;
  for (let i = 0; i < written; i++) {
    logger.info({ i, filler: 'x'.repeat(150) }, 'a line');
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const dropped = logLinesDropped() - before;
  assert.ok(dropped > written / 2, `most lines were dropped (${dropped} of ${written})`);
  const scraped = await createMetrics().registry.getSingleMetricAsString('pacerpro_log_lines_dropped_total');
  assert.match(scraped, new RegExp(`^pacerpro_log_lines_dropped_total ${logLinesDropped()}$`, 'm'));

  // The collector reads again: the kept lines arrive in order, then one line saying what was lost.
  const reader = createReadStream(fifo);
  let text = '';
  const report = await new Promise<{ droppedLines: number; msg: string; level: number }>((resolve) => {
    reader.on('data', (chunk) => {
      text += String(chunk);
      const last = text.split('\n').find((line) => line.includes('droppedLines'));
      if (last) resolve(JSON.parse(last) as { droppedLines: number; msg: string; level: number });
    });
  });
  reader.destroy();
  closeSync(fd);
  temp.remove();

  assert.equal(report.droppedLines, dropped);
  assert.equal(report.level, 40);
  assert.match(report.msg, /log lines were dropped: the log output was not read fast enough/);
  const keptLines = text.split('\n').filter((line) => line.includes('"a line"'));
  const kept = keptLines.map((line) => (JSON.parse(line) as { i: number }).i);
  assert.equal(kept.length + dropped, written);
  assert.deepEqual(
    kept,
    Array.from({ length: kept.length }, (_, i) => i),
    'the first lines are kept, in order',
  );
  // What was kept: the buffer, full, never more (the pipe was already full of junk).
  const keptBytes = keptLines.reduce((sum, line) => sum + line.length + 1, 0);
  const lineBytes = keptLines[0]!.length + 1;
  assert.ok(keptBytes > bufferBytes - lineBytes, `the buffer was filled before lines were dropped (${keptBytes} bytes kept)`);
  assert.ok(keptBytes <= bufferBytes, `no more than the buffer holds (${keptBytes} bytes kept)`);
});
