// The Node file store behind `pacerpro`: owner-only file, whole writes, clear failures.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileTokenStore } from '../src/node.js';

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pacerpro-store-test-'));
});
after(() => rm(directory, { recursive: true, force: true }));

const session = (n: number) => ({
  jwtToken: `token-${n}`,
  expiresAt: new Date(Date.UTC(2026, 10, 28, 6, n)),
  email: 'alice@example.com',
  basePath: 'http://127.0.0.1:1/v1',
});

describe('FileTokenStore', () => {
  it('round-trips a session through a 0600 file, creating the directories', async () => {
    const store = new FileTokenStore(join(directory, 'a', 'b', 'session.json'));
    assert.equal(await store.get(), undefined);
    await store.set(session(1));
    assert.deepEqual(await store.get(), session(1));
    assert.equal((await stat(store.path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(directory, 'a', 'b'))).mode & 0o777, 0o700);
  });

  it('replaces a file others could read with an owner-only one', async () => {
    const store = new FileTokenStore(join(directory, 'wide.json'));
    await writeFile(store.path, '{}', { mode: 0o644 });
    await store.set(session(2));
    assert.equal((await stat(store.path)).mode & 0o777, 0o600);
  });

  it('leaves one whole file and no temporary files after concurrent writes', async () => {
    const store = new FileTokenStore(join(directory, 'race', 'session.json'));
    await Promise.all(Array.from({ length: 10 }, (_, n) => store.set(session(n))));
    const kept = await store.get();
    assert.ok(kept && /^token-\d$/.test(kept.jwtToken));
    assert.deepEqual(await readdir(join(directory, 'race')), ['session.json']);
  });

  it('names the file when it is not a session file', async () => {
    const store = new FileTokenStore(join(directory, 'damaged.json'));
    for (const text of ['{"jwtToken":', '[]', '{"jwtToken":"x","expiresAt":"never"}']) {
      await writeFile(store.path, text);
      await assert.rejects(store.get(), new RegExp(`${store.path} is not a PacerPro session file`));
    }
  });

  it('clears, also when there is nothing to clear', async () => {
    const store = new FileTokenStore(join(directory, 'cleared.json'));
    await store.set(session(3));
    await store.clear();
    await store.clear();
    assert.equal(await store.get(), undefined);
  });
});
