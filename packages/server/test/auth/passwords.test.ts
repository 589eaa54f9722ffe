import { verify } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPasswordHasher, OWASP_ARGON2ID, type HashOperation } from '../../src/auth/passwords.js';
import { STAND_IN_SECONDS } from '../support/stand-in-hash-thread.js';

// The password-hashing unit: its queue, its threads, its timing. What callers count on: real
// argon2id hashes and verifications that never say yes to a hash they cannot read; at most
// `concurrency` jobs at once, the others first come, first served, whatever their kind; threads
// started as needed and reused; a lost thread fails only its own job and is replaced; each job's
// own time reported; and an idle thread never keeps a process alive. How fast logins go is the
// benchmark's business.

const STAND_IN = fileURLToPath(new URL('../support/stand-in-hash-thread.js', import.meta.url));
const standIn = (concurrency: number, observe?: (operation: HashOperation, seconds: number) => void) =>
  createPasswordHasher(OWASP_ARGON2ID, { concurrency, script: STAND_IN, observe });

/** The stand-in's hash: `thread <id> <start ms> <end ms>`. */
function made(hash: string) {
  const [, thread, start, end] = hash.split(' ');
  return { thread: Number(thread), start: Number(start), end: Number(end) };
}

test('argon2id hashes at the given parameters, and verifications, off the event loop', async () => {
  const observed: HashOperation[] = [];
  const hasher = await createPasswordHasher(OWASP_ARGON2ID, {
    observe: (operation, seconds) => (assert.ok(seconds > 0), observed.push(operation)),
  });
  assert.deepEqual(observed, [], "the dummy hash made at the start is no login's");
  let turns = 0;
  const ticking = setInterval(() => turns++, 1);
  const hash = await hasher.hash('correct horse battery staple');
  clearInterval(ticking);
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.ok(turns > 0, 'the event loop kept turning while the thread hashed');
  assert.equal(await verify(hash, 'correct horse battery staple'), true, 'the binding itself accepts the hash');

  assert.equal(await hasher.verify(hash, 'correct horse battery staple'), true);
  assert.equal(await hasher.verify(hash, 'correct horse battery stapler'), false);
  assert.equal(await hasher.verify('$argon2id$v=19$m=19456,t=2,p=1$not-a-hash', 'x'), false);
  assert.equal(await hasher.verify('', 'x'), false);
  assert.equal(await hasher.verify(`$2a$99$${'a'.repeat(53)}`, 'x'), false, 'a bcrypt hash the binding cannot read');
  assert.equal(await hasher.verifyDummy('correct horse battery staple'), false);
  assert.deepEqual(observed, ['hash', 'verify', 'verify', 'verify', 'verify', 'verify', 'verifyDummy']);
});

test('needsRehash: anything but argon2id at the configured parameters or stronger', async () => {
  const hasher = await createPasswordHasher({ memoryCost: 19_456, timeCost: 3, parallelism: 1 }, { script: STAND_IN });
  assert.equal(hasher.needsRehash('$argon2id$v=19$m=19456,t=3,p=1$c2FsdA$aGFzaA'), false);
  assert.equal(hasher.needsRehash('$argon2id$v=19$m=65536,t=4,p=2$c2FsdA$aGFzaA'), false, 'stronger is kept');
  assert.equal(hasher.needsRehash('$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'), true, 'fewer iterations');
  assert.equal(hasher.needsRehash('$argon2id$v=19$m=8192,t=3,p=1$c2FsdA$aGFzaA'), true, 'less memory');
  assert.equal(hasher.needsRehash('$argon2i$v=19$m=19456,t=3,p=1$c2FsdA$aGFzaA'), true, 'argon2i');
  assert.equal(hasher.needsRehash(`$2a$04$${'a'.repeat(53)}`), true, 'bcrypt');
});

test('at most `concurrency` jobs at once, each on a thread of its own, threads started as needed and reused', async () => {
  const one = await standIn(3);
  const sequential = [await one.hash('a'), await one.hash('b'), await one.hash('c')].map((hash) => made(hash).thread);
  assert.equal(new Set(sequential).size, 1, 'one job at a time needs one thread, however many are allowed');

  const hasher = await standIn(2);
  const first = (await Promise.all(Array.from({ length: 6 }, (_, i) => hasher.hash(`p${i}`)))).map(made);
  const second = (await Promise.all(Array.from({ length: 4 }, (_, i) => hasher.hash(`q${i}`)))).map(made);
  assert.equal(new Set(first.map((job) => job.thread)).size, 2);
  assert.deepEqual(new Set(second.map((job) => job.thread)), new Set(first.map((job) => job.thread)));
  // The most running at once is the most running at some job's start.
  const mostAtOnce = Math.max(...first.map((job) => first.filter((other) => other.start <= job.start && job.start < other.end).length));
  assert.equal(mostAtOnce, 2);
});

test('jobs beyond the bound wait in arrival order: hashes, verifications and dummy verifications in one queue', async () => {
  const hasher = await standIn(1);
  const finished: number[] = [];
  // A verification takes a third of a hash's time: one that overtook, or ran beside, a hash would finish first.
  const jobs = [
    () => hasher.hash('a'),
    () => hasher.verify('b', 'b'),
    () => hasher.verifyDummy('c'),
    () => hasher.hash('d'),
    () => hasher.verify('e', 'not e'),
    () => hasher.hash('f'),
    () => hasher.verifyDummy('g'),
  ];
  const results = await Promise.all(jobs.map((job, i) => job().then((result) => (finished.push(i), result))));
  assert.deepEqual(finished, [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    results.map((result) => (typeof result === 'string' ? 'hash' : result)),
    ['hash', true, false, 'hash', false, 'hash', false],
  );
});

test("the thread's own time of each job is observed, never its wait for a turn; a failed hash too", async () => {
  const observed: [HashOperation, number][] = [];
  const hasher = await standIn(1, (operation, seconds) => observed.push([operation, seconds]));
  assert.deepEqual(observed, [], "the dummy hash made at the start is no login's");
  await Promise.all([hasher.hash('a'), hasher.hash('b'), hasher.verify('c', 'c'), hasher.verifyDummy('d'), hasher.hash('e')]);
  await assert.rejects(hasher.hash('fail'), /^Error: the password could not be hashed: no memory for the hash$/);
  // The stand-in reports fixed times; the last job here waited for four others, and still reports its own.
  assert.deepEqual(observed, [
    ['hash', STAND_IN_SECONDS.hash],
    ['hash', STAND_IN_SECONDS.hash],
    ['verify', STAND_IN_SECONDS.verify],
    ['verifyDummy', STAND_IN_SECONDS.verify],
    ['hash', STAND_IN_SECONDS.hash],
    ['hash', STAND_IN_SECONDS.hash],
  ]);
});

test('a hash that fails frees its turn and its caller sees the error', async () => {
  const hasher = await standIn(1);
  const failing = hasher.hash('fail');
  const next = hasher.hash('next');
  await assert.rejects(failing, /could not be hashed: no memory for the hash/);
  assert.match(await next, /^thread \d+ /);
});

test('a thread that dies fails its own job with a clear error; the jobs waiting behind it get a new thread', async () => {
  const hasher = await standIn(1);
  const before = made(await hasher.hash('a')).thread;
  const dying = hasher.hash('exit');
  const waiting = [hasher.hash('b'), hasher.verify('c', 'c')];
  await assert.rejects(dying, /^Error: the password-hashing thread was lost: .*exited with code: 3$/);
  const after = made((await waiting[0]!) as string).thread;
  assert.notEqual(after, before);
  assert.equal(await waiting[1], true);
  assert.equal(made(await hasher.hash('d')).thread, after, 'the new thread is kept');
});

test('an idle hashing thread does not keep a finished process alive', async () => {
  const script = `
    import { createPasswordHasher } from ${JSON.stringify(new URL('../../src/auth/passwords.ts', import.meta.url).href)};
    const hasher = await createPasswordHasher(undefined, { concurrency: 2 });
    const [a, b] = await Promise.all([hasher.hash('pw'), hasher.hash('other')]);
    process.stdout.write(String((await hasher.verify(a, 'pw')) && (await hasher.verify(b, 'other'))));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
    timeout: 20_000,
  });
  assert.equal(stdout, 'true');
});

test("attached to Devise: new hashes are Devise's bcrypt at its stretches with the pepper, and none is ever upgraded (was: argon2id locking users out of Rails)", async () => {
  const hasher = await createPasswordHasher(OWASP_ARGON2ID, { deviseBcryptCost: 4, devisePepper: 'pepper' });
  const hash = await hasher.hash('beside Devise');
  assert.match(hash, /^\$2a\$04\$[./A-Za-z0-9]{53}$/);
  assert.equal(await hasher.verify(hash, 'beside Devise'), true);
  assert.equal(
    await hasher.verify(`$2a$04$${(await bcryptHash('beside Devise', 4)).slice(7)}`, 'beside Devise'),
    false,
    'the pepper is part of it',
  );
  assert.equal(hasher.needsRehash(hash), false);
  assert.equal(
    hasher.needsRehash(await bcryptHash('beside Devisepepper', 4)),
    false,
    'not even a weaker bcrypt: Devise never rehashes either',
  );
  assert.equal(await hasher.verifyDummy('beside Devise'), false);
});

test('attached to Devise, an unknown e-mail costs a bcrypt verification like a known one (was: a cheaper or other check telling accounts apart)', async () => {
  const observed: [HashOperation, number][] = [];
  const observe = (operation: HashOperation, seconds: number) => observed.push([operation, seconds]);
  const attached = await createPasswordHasher(OWASP_ARGON2ID, { script: STAND_IN, deviseBcryptCost: 11, devisePepper: 'p', observe });
  const known = await attached.hash('a password');
  assert.match(known, /^\$2a\$11\$/, "the stand-in's bcrypt, as passwords.ts asked for it");
  await attached.verify(known, 'a guess');
  await attached.verifyDummy('a guess');
  assert.deepEqual(observed.slice(1), [
    ['verify', STAND_IN_SECONDS.verifyBcrypt],
    ['verifyDummy', STAND_IN_SECONDS.verifyBcrypt],
  ]);

  observed.length = 0;
  const own = await createPasswordHasher(OWASP_ARGON2ID, { script: STAND_IN, observe });
  await own.verifyDummy('a guess');
  assert.deepEqual(observed, [['verifyDummy', STAND_IN_SECONDS.verify]], 'not attached, the dummy is an argon2id verification');
});
