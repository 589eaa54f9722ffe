// BroadcastSessionStore over Node's own BroadcastChannel (every store of a name in this process
// hears the others, as tabs of an origin do): what it shares, and that a logout wins.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { BroadcastSessionStore, type StoreChange, type StoredSession } from '../src/index.js';
import { MemoryStorage } from './support/memory-storage.js';

const session = (jwtToken: string, generation = 0): StoredSession => ({
  jwtToken,
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  basePath: 'http://127.0.0.1:1/v1',
  generation,
});

/**
 * The next change the store hears. The store's channel does not keep Node's event loop alive (no
 * store should keep a process running), so this holds it open until the message comes.
 */
function nextChange(store: BroadcastSessionStore): Promise<StoreChange> {
  const hold = setInterval(() => undefined, 60_000);
  return new Promise((resolve) => {
    const stop = store.subscribe((change) => {
      stop();
      clearInterval(hold);
      resolve(change);
    });
  });
}

/** `count` stores of one fresh name, each with the list of changes it heard. */
function tabs(count: number, persist?: Storage) {
  const name = randomUUID();
  return Array.from({ length: count }, () => {
    const store = new BroadcastSessionStore({ name, ...(persist ? { persist } : {}), peerWaitMs: 5_000 });
    const heard: StoreChange[] = [];
    store.subscribe((change) => heard.push(change));
    return { store, heard, next: () => nextChange(store) };
  });
}

describe('BroadcastSessionStore', () => {
  it('a session set in one store reaches the others of its name with its reason, not stores of another name', async () => {
    const [a, b] = tabs(2);
    const [stranger] = tabs(1);
    const arrived = b!.next();
    a!.store.set(session('one'), 'login');
    assert.deepEqual(await arrived, { reason: 'login', session: session('one') });
    assert.deepEqual(b!.store.get(), session('one'));
    const refreshed = b!.next();
    a!.store.set(session('two'), 'refresh');
    assert.equal((await refreshed).reason, 'refresh');
    assert.deepEqual(stranger!.heard, []);
    assert.deepEqual(a!.heard, [], 'a store does not hear its own changes');
  });

  it('a logout reaches the others, and a session from before it is then kept by none, not brought back', async () => {
    const [a, b] = tabs(2);
    a!.store.set(session('one'), 'login');
    await b!.next();
    const ended = b!.next();
    a!.store.clear({ reason: 'logout', generation: 1 });
    assert.deepEqual(await ended, { reason: 'logout', session: undefined, generation: 1 });
    b!.store.set(session('late refresh', 0), 'refresh');
    assert.equal(b!.store.get(), undefined);
    assert.equal(b!.store.generation(), 1);
    // A login that starts after the logout is of the new generation, and goes everywhere.
    const again = a!.next();
    b!.store.set(session('new login', 1), 'login');
    assert.equal((await again).session?.jwtToken, 'new login');
  });

  it('with Web Storage, a session from before a logout is refused even before the logout message arrives', () => {
    const storage = new MemoryStorage();
    const [a, b] = tabs(2, storage);
    a!.store.set(session('one'), 'login');
    a!.store.clear({ reason: 'logout', generation: 1 });
    // Synchronously: b has not heard the logout yet, but the shared storage tells it.
    b!.store.set(session('late refresh', 0), 'refresh');
    assert.equal(b!.store.generation(), 1);
    assert.doesNotMatch(storage.getItem(storage.key(0)!)!, /late refresh/);
  });

  it('a store opened later starts from the session of one opened before, from a peer or from Web Storage', async () => {
    const [a] = tabs(1);
    const name = randomUUID();
    const first = new BroadcastSessionStore({ name });
    first.set(session('shared'), 'login');
    const later = new BroadcastSessionStore({ name, peerWaitMs: 5_000 });
    assert.deepEqual(await later.get(), session('shared'));
    a!.store.close();

    const storage = new MemoryStorage();
    new BroadcastSessionStore({ name: 'persisted', persist: storage }).set(session('kept'), 'login');
    assert.deepEqual(new BroadcastSessionStore({ name: 'persisted', persist: storage }).get(), session('kept'), 'at once, without waiting');
  });

  it('keeps device credentials per account next to the session, across a logout, until forgotten', () => {
    const [a] = tabs(1);
    const account = { basePath: 'http://127.0.0.1:1/v1', email: 'Alice@example.com ' };
    a!.store.setDeviceCredential(account, 'device-one');
    a!.store.clear({ reason: 'logout', generation: 1 });
    assert.equal(a!.store.getDeviceCredential({ ...account, email: 'alice@example.com' }), 'device-one');
    a!.store.forgetDeviceCredential(account);
    assert.equal(a!.store.getDeviceCredential(account), undefined);
  });
});
