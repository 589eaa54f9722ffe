// Two SessionManagers over BroadcastSessionStores of one name, as two tabs of an origin, against
// the real server; Node's BroadcastChannel carries what a browser's does. Requests are counted per
// manager, and an answer can be held back to arrive after the other manager's logout.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  BroadcastSessionStore,
  NotAuthenticatedError,
  type SessionChangeReason,
  SessionManager,
  type SessionManagerOptions,
  type SessionSnapshot,
} from '../src/index.js';
import { ALICE, useApiServer } from './support/server.js';

const server = useApiServer();

/** A manager over the shared store `name`, its requests counted; `hold` keeps its next answer until released. */
function tab(name: string, options: Omit<SessionManagerOptions, 'configuration' | 'store'> = {}) {
  const calls: string[] = [];
  let gate: Promise<void> | undefined;
  let release: () => void = () => undefined;
  const manager = new SessionManager({
    configuration: {
      basePath: server().basePath,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        calls.push(`${init.method} ${response.status}`);
        await gate;
        return response;
      },
    },
    store: new BroadcastSessionStore({ name }),
    ...options,
  });
  return {
    manager,
    calls,
    hold() {
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => release();
    },
  };
}

/** The next change with `reason` the manager reports (holding Node's event loop open meanwhile: the store's channel does not). */
function next(manager: SessionManager, reason: SessionChangeReason): Promise<void> {
  const hold = setInterval(() => undefined, 60_000);
  return new Promise((resolve) => {
    const stop = manager.onChange((change) => {
      if (change.reason !== reason) return;
      stop();
      clearInterval(hold);
      resolve();
    });
  });
}

describe('SessionManagers sharing a store', { timeout: 30_000 }, () => {
  it("a logout by one ends the other's session: its next token() throws NotAuthenticatedError without a request", async () => {
    const name = randomUUID();
    const a = tab(name, { credentials: ALICE });
    const b = tab(name, { credentials: ALICE });
    const shared = next(b.manager, 'login');
    const token = await a.manager.token();
    await shared;
    assert.equal(await b.manager.token(), token);
    const ended = next(b.manager, 'logout');
    await a.manager.logout();
    await ended;
    await assert.rejects(b.manager.token(), NotAuthenticatedError, 'its credentials went with the logout: no login undoes it');
    assert.deepEqual(b.calls, []);
  });

  it("a login answered after the other's logout is dropped in both, not bringing the session back", async () => {
    const name = randomUUID();
    const a = tab(name, { credentials: ALICE });
    const b = tab(name);
    const shared = next(b.manager, 'login');
    await a.manager.login();
    await shared;
    const release = b.hold();
    const late = b.manager.login(ALICE);
    while (b.calls.length === 0) await new Promise((resolve) => setImmediate(resolve)); // the server has answered 200
    const ended = next(b.manager, 'logout');
    await a.manager.logout();
    await ended;
    release();
    await assert.rejects(late, NotAuthenticatedError);
    assert.deepEqual(b.calls, ['POST 200']);
    assert.equal(a.manager.current(), undefined);
    assert.equal(b.manager.current(), undefined);
    await assert.rejects(b.manager.token(), NotAuthenticatedError, 'nor the credentials of the dropped login');
  });

  it('current() is one frozen object until something changes; subscribe() hears it at once and after every change, here and in the other', async () => {
    const name = randomUUID();
    const a = tab(name, { credentials: ALICE });
    const b = tab(name);
    const seenA: SessionSnapshot[] = [];
    const seenB: SessionSnapshot[] = [];
    a.manager.subscribe((snapshot) => seenA.push(snapshot));
    b.manager.subscribe((snapshot) => seenB.push(snapshot));
    const shared = next(b.manager, 'login');
    await a.manager.login();
    await shared;
    const snapshot = a.manager.current();
    assert.ok(snapshot && Object.isFrozen(snapshot));
    assert.equal(a.manager.current(), snapshot, 'the same object while nothing changes');
    await a.manager.token();
    assert.equal(a.manager.current(), snapshot);
    const ended = next(b.manager, 'logout');
    await a.manager.logout();
    await ended;
    assert.deepEqual(
      seenA.map((s) => s?.jwtToken),
      [undefined, snapshot.jwtToken, undefined],
    );
    assert.deepEqual(
      seenB.map((s) => s?.jwtToken),
      [undefined, snapshot.jwtToken, undefined],
    );
    assert.equal(b.manager.current(), undefined);
  });
});
