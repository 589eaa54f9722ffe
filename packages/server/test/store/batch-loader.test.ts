import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBatchLoader } from '../../src/store/batch-loader.js';

// Look-ups asked for in one turn of the event loop go out as one load, each key once; a failed
// load fails exactly its callers; a look-up asked for later goes out in a later load.

function recordingLoader(maxBatch?: number) {
  const loads: number[][] = [];
  const loader = createBatchLoader<number, string>(async (keys) => {
    loads.push([...keys]);
    if (keys.includes(13)) throw new Error('unlucky');
    return new Map(keys.filter((k) => k % 2 === 0).map((k) => [k, `user ${k}`]));
  }, maxBatch);
  return { loads, loader };
}

test('concurrent look-ups share one load, each key once; a missing key is undefined', async () => {
  const { loads, loader } = recordingLoader();
  const answers = await Promise.all([loader(2), loader(4), loader(2), loader(5)]);
  assert.deepEqual(answers, ['user 2', 'user 4', 'user 2', undefined]);
  assert.deepEqual(loads, [[2, 4, 5]]);
});

test('a look-up made after a batch went out is loaded again, in a batch of its own', async () => {
  const { loads, loader } = recordingLoader();
  assert.equal(await loader(2), 'user 2');
  assert.equal(await loader(2), 'user 2');
  assert.deepEqual(loads, [[2], [2]]);
});

test('a failed load rejects the callers of its keys only', async () => {
  const { loads, loader } = recordingLoader(2);
  const results = await Promise.allSettled([loader(2), loader(4), loader(13), loader(6)]);
  assert.deepEqual(loads, [
    [2, 4],
    [13, 6],
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected', 'rejected'],
  );
  assert.match(String((results[2] as PromiseRejectedResult).reason), /unlucky/);
});
