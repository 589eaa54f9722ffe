import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBatchWriter } from '../../src/store/batch-writer.js';

// Writes asked for in one turn of the event loop go out as one batch, in the order asked, each
// caller with its own result; a failed batch fails all its callers and no other batch.

function recordingWriter() {
  const batches: string[][] = [];
  const writer = createBatchWriter<string, string>(async (items) => {
    batches.push([...items]);
    if (items.includes('fail')) throw new Error('rolled back');
    return items.map((item, i) => `${item}#${i}`);
  });
  return { batches, writer };
}

test('writes asked for together go out as one batch, in order, repeats included', async () => {
  const { batches, writer } = recordingWriter();
  const results = await Promise.all([writer('b'), writer('a'), writer('b')]);
  assert.deepEqual(batches, [['b', 'a', 'b']]);
  assert.deepEqual(results, ['b#0', 'a#1', 'b#2']);
});

test('a write asked for after a batch went out goes in the next one', async () => {
  const { batches, writer } = recordingWriter();
  const first = writer('a');
  await new Promise((resolve) => setImmediate(resolve)); // the batch with 'a' has gone out
  const second = writer('b');
  assert.deepEqual(await Promise.all([first, second]), ['a#0', 'b#0']);
  assert.deepEqual(batches, [['a'], ['b']]);
});

test('a failed batch rejects every caller in it, and the next batch is written', async () => {
  const { batches, writer } = recordingWriter();
  const failed = await Promise.allSettled([writer('a'), writer('fail')]);
  assert.deepEqual(
    failed.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.match(String((failed[0] as PromiseRejectedResult).reason), /rolled back/);
  assert.equal(await writer('c'), 'c#0');
  assert.deepEqual(batches, [['a', 'fail'], ['c']]);
});
