import { Algorithm, verify } from '@node-rs/argon2';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startHashThreads } from '../../src/auth/hash-threads.js';

// Password hashes run on threads of our own. What callers count on: real argon2id hashes and
// verifications that never say yes to a hash they cannot read; no more threads than allowed, reused;
// a lost thread fails only its own job and is replaced; and an idle thread never keeps a process alive.

const options = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const STAND_IN = fileURLToPath(new URL('../support/stand-in-hash-thread.js', import.meta.url));

test('argon2id hashes at the given parameters, and verifications, off the event loop', async () => {
  const threads = startHashThreads({ threads: 1, options });
  let turns = 0;
  const ticking = setInterval(() => turns++, 1);
  const made = await threads.hash('correct horse battery staple');
  clearInterval(ticking);
  assert.match(made, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.ok(turns > 0, 'the event loop kept turning while the thread hashed');
  assert.equal(await verify(made, 'correct horse battery staple'), true, 'the binding itself accepts the hash');

  assert.equal(await threads.verify(made, 'correct horse battery staple'), true);
  assert.equal(await threads.verify(made, 'correct horse battery stapler'), false);
  assert.equal(await threads.verify('$argon2id$v=19$m=19456,t=2,p=1$not-a-hash', 'x'), false);
  assert.equal(await threads.verify('', 'x'), false);
  assert.equal(await threads.verifyBcrypt('$2a$04$not-a-real-bcrypt-hash', 'x'), false);
});

test('at most `threads` threads, started as needed and reused', async () => {
  const threads = startHashThreads({ threads: 2, options, script: STAND_IN });
  const first = await Promise.all(Array.from({ length: 6 }, (_, i) => threads.hash(`p${i}`)));
  const second = await Promise.all(Array.from({ length: 4 }, (_, i) => threads.hash(`q${i}`)));
  assert.equal(new Set(first).size, 2);
  assert.deepEqual(new Set(second), new Set(first));
});

test('a thread that dies fails its own job with a clear error; the next job gets a new thread', async () => {
  const threads = startHashThreads({ threads: 1, options, script: STAND_IN });
  const before = await threads.hash('a');
  await assert.rejects(threads.hash('exit'), /the password-hashing thread exited \(code 3\)/);
  const after = await threads.hash('b');
  assert.match(after, /^thread \d+$/);
  assert.notEqual(after, before);
});

test('an idle hashing thread does not keep a finished process alive', async () => {
  const script = `
    import { startHashThreads } from ${JSON.stringify(new URL('../../src/auth/hash-threads.ts', import.meta.url).href)};
    const threads = startHashThreads({ threads: 1, options: ${JSON.stringify(options)} });
    process.stdout.write(String(await threads.verify(await threads.hash('pw'), 'pw')));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { timeout: 20_000 });
  assert.equal(stdout, 'true');
});
