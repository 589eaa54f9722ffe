import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLimiter, queuePasswordHasher } from '../../src/auth/hash-queue.js';
import type { PasswordHasher } from '../../src/auth/passwords.js';

// The bound in front of password hashing: at most N at once, the others wait in arrival order,
// a failed hash frees its slot. Behaviour only: how fast logins go is the benchmark's business.

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a limiter runs at most N tasks at once and starts the others in arrival order', async () => {
  const limit = createLimiter(2);
  const gates = Array.from({ length: 5 }, () => deferred());
  const started: number[] = [];
  const results = gates.map((gate, i) =>
    limit(async () => {
      started.push(i);
      await gate.promise;
      return i;
    }),
  );
  await tick();
  assert.deepEqual(started, [0, 1]);
  gates[1]!.resolve();
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
  gates[0]!.resolve();
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3]);
  for (const gate of gates) gate.resolve();
  assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4]);
});

test('a task that fails frees its slot and its caller sees the error', async () => {
  const limit = createLimiter(1);
  const failing = limit(async () => {
    throw new Error('boom');
  });
  const next = limit(async () => 'ran');
  await assert.rejects(failing, /boom/);
  assert.equal(await next, 'ran');
});

test('the queued hasher bounds hash, verify and verifyDummy together; needsRehash passes through', async () => {
  let running = 0;
  let most = 0;
  const slow = async <T>(value: T) => {
    running++;
    most = Math.max(most, running);
    await tick();
    await tick();
    running--;
    return value;
  };
  const hasher: PasswordHasher = {
    hash: () => slow('$argon2id$hash'),
    verify: () => slow(true),
    verifyDummy: () => slow(false as const),
    needsRehash: (hash) => hash === 'old',
  };
  const queued = queuePasswordHasher(hasher, 2);
  const all = await Promise.all([
    queued.verify('h', 'p'),
    queued.verifyDummy('p'),
    queued.hash('p'),
    queued.verify('h', 'p'),
    queued.verifyDummy('p'),
  ]);
  assert.deepEqual(all, [true, false, '$argon2id$hash', true, false]);
  assert.equal(most, 2);
  assert.equal(queued.needsRehash('old'), true);
});
