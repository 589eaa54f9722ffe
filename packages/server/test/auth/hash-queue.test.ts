import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { hashConcurrencyOf } from '../../src/auth/hash-queue.js';
import { ConfigError, loadConfig } from '../../src/config.js';

// How many password hashes run at once: the setting, or the default computed from the cores. The
// queue and the threads themselves: passwords.test.ts.

test('hashing concurrency: the setting, else a worker\'s share of the cores less one, at most three', () => {
  assert.equal(hashConcurrencyOf({ hashConcurrency: 6, workers: 4 }, 8), 6);
  assert.equal(hashConcurrencyOf({ hashConcurrency: undefined, workers: 1 }, 2), 1, 'a core stays free for the event loop');
  assert.equal(hashConcurrencyOf({ hashConcurrency: undefined, workers: 1 }, 4), 3);
  assert.equal(hashConcurrencyOf({ hashConcurrency: undefined, workers: 1 }, 8), 3, 'at most three by default');
  assert.equal(hashConcurrencyOf({ hashConcurrency: undefined, workers: 2 }, 8), 3);
  assert.equal(hashConcurrencyOf({ hashConcurrency: undefined, workers: 4 }, 8), 1);
  assert.equal(hashConcurrencyOf({ hashConcurrency: undefined, workers: 16 }, 8), 1, 'never below one');
  assert.equal(hashConcurrencyOf({ hashConcurrency: undefined, workers: 1 }, 1), 1);
});

test('PACERPRO_HASH_CONCURRENCY and PACERPRO_WORKERS (auto: one per core)', () => {
  assert.equal(loadConfig({}).hashConcurrency, undefined);
  assert.equal(loadConfig({}).workers, 1);
  assert.equal(loadConfig({ PACERPRO_HASH_CONCURRENCY: '3' }).hashConcurrency, 3);
  assert.equal(loadConfig({ PACERPRO_WORKERS: 'auto' }).workers, availableParallelism());
  assert.equal(loadConfig({}, { workers: '2' }).workers, 2);
  for (const [env, message] of [
    [{ PACERPRO_HASH_CONCURRENCY: '0' }, 'PACERPRO_HASH_CONCURRENCY="0" is not valid: expected an integer from 1 to 256.'],
    [{ PACERPRO_WORKERS: 'many' }, 'PACERPRO_WORKERS="many" is not valid: expected an integer from 1 to 256, or auto.'],
  ] as const) {
    assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.message === message);
  }
});
