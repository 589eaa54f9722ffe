import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGroupCommit } from '../../src/store/group-commit.js';

// Items asked for in one turn of the event loop go out as one call, in the order asked, each
// caller with its own result; items asked for while a call is in flight go together in the next;
// a failed call fails all its callers and no other call.

function recordingCommit(maxBatch = 100) {
  const batches: string[][] = [];
  let release: (() => void) | undefined;
  const commit = createGroupCommit<string, string>(async (items) => {
    batches.push([...items]);
    if (items.includes('hold')) await new Promise<void>((resolve) => (release = resolve));
    if (items.includes('fail')) throw new Error('rolled back');
    return items.map((item, i) => `${item}#${i}`);
  }, maxBatch);
  return { batches, add: (item: string) => commit.add(item), commit, release: () => release?.() };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('items asked for together go out as one call, in order, repeats included', async () => {
  const { batches, add } = recordingCommit();
  const results = await Promise.all([add('b'), add('a'), add('b')]);
  assert.deepEqual(batches, [['b', 'a', 'b']]);
  assert.deepEqual(results, ['b#0', 'a#1', 'b#2']);
});

test('an item asked for after a call ended goes in the next one', async () => {
  const { batches, add } = recordingCommit();
  assert.equal(await add('a'), 'a#0');
  assert.equal(await add('b'), 'b#0');
  assert.deepEqual(batches, [['a'], ['b']]);
});

test('items asked for while a call is in flight wait for it, then go out together', async () => {
  const { batches, add, release } = recordingCommit();
  const held = add('hold');
  await nextTurn(); // the call with 'hold' is in flight
  const later = [add('c'), add('d')];
  await nextTurn();
  await nextTurn();
  const d = add('e'); // another turn, still while the first call is in flight
  assert.deepEqual(batches, [['hold']], 'nothing else starts while a call is in flight');
  release();
  assert.deepEqual(await Promise.all([held, ...later, d]), ['hold#0', 'c#0', 'd#1', 'e#2']);
  assert.deepEqual(batches, [['hold'], ['c', 'd', 'e']]);
});

test('a call carries at most maxBatch items; the rest go in the next', async () => {
  const { batches, add } = recordingCommit(2);
  await Promise.all(['a', 'b', 'c'].map(add));
  assert.deepEqual(batches, [['a', 'b'], ['c']]);
});

test('a failed call rejects every caller in it, and the next call is made', async () => {
  const { batches, add } = recordingCommit();
  const failed = await Promise.allSettled([add('a'), add('fail')]);
  assert.deepEqual(
    failed.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.match(String((failed[0] as PromiseRejectedResult).reason), /rolled back/);
  assert.equal(await add('c'), 'c#0');
  assert.deepEqual(batches, [['a', 'fail'], ['c']]);
});

test('idle() waits for the calls in flight and those waiting', async () => {
  const { batches, add, commit, release } = recordingCommit();
  void add('hold');
  await nextTurn();
  void add('x');
  const idle = commit.idle();
  release();
  await idle;
  assert.deepEqual(batches, [['hold'], ['x']]);
});
