// SessionManager against the real server with a short token lifetime; the manager's clock is
// injected (real time plus an offset) so a test can stand just before expiry without waiting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiError,
  AuthenticationApi,
  NotAuthenticatedError,
  type Session,
  type SessionChange,
  SessionManager,
  type SessionManagerOptions,
  type StoredSession,
  type TokenStore,
} from '../src/index.js';
import { expiredCopy } from './support/jwt.js';
import { ALICE, BOB, freePort, JWT_SECRET, useApiServer } from './support/server.js';

const server = useApiServer({ jwtTtlSeconds: 3 });

/**
 * A manager whose requests are counted, whose clock can be moved, and whose network can be cut
 * (`network.down` sends its requests to a port nobody listens on: a real refused connection).
 */
function managed(options: Omit<SessionManagerOptions, 'configuration' | 'now'> = {}) {
  const calls: string[] = [];
  const clock = { offsetMs: 0 };
  const network = { down: false, closedPort: 1 };
  const changes: SessionChange[] = [];
  const manager = new SessionManager({
    configuration: {
      basePath: server().basePath,
      fetch: async (input, init) => {
        const url = new URL(input);
        if (network.down) url.port = String(network.closedPort);
        const response = await fetch(url, init);
        calls.push(`${init.method} ${response.status}`);
        return response;
      },
    },
    now: () => Date.now() + clock.offsetMs,
    refreshMarginMs: 1500,
    ...options,
  });
  manager.onChange((change) => changes.push(change));
  /** Moves the manager's clock to `msBefore` ms before the session expires. */
  const standBefore = (session: Session, msBefore: number) => {
    clock.offsetMs = session.expiresAt.getTime() - msBefore - Date.now();
  };
  return { manager, calls, changes, standBefore, clock, network };
}

const api = (token?: string) => new AuthenticationApi({ basePath: server().basePath, apiKey: token });
const accepted = async (token: string) => assert.ok(await api(token).sessionGet());

describe('SessionManager', () => {
  it('logs in on the first token() and hands out the same token without requests while fresh', async () => {
    const { manager, calls, changes } = managed({ credentials: ALICE });
    const token = await manager.token();
    assert.equal(await manager.token(), token);
    assert.equal(await manager.token(), token);
    assert.deepEqual(calls, ['POST 200']);
    assert.deepEqual(
      changes.map((c) => [c.reason, c.session?.jwtToken]),
      [['login', token]],
    );
    assert.equal((await manager.current())?.email, ALICE.email);
    await accepted(token);
  });

  it('refreshes within the margin before expiry, without needing credentials', async () => {
    const session = await api().sessionPost(ALICE);
    const { manager, calls, changes, standBefore } = managed({ session });
    assert.equal(await manager.token(), session.jwtToken);
    standBefore(session, 300);
    const token = await manager.token();
    assert.deepEqual(calls, ['GET 200']);
    assert.deepEqual(
      changes.map((c) => c.reason),
      ['refresh'],
    );
    await accepted(token);
  });

  it('does not refresh on every call when the margin is longer than the token lives', async () => {
    const { manager, calls, standBefore } = managed({ credentials: ALICE, refreshMarginMs: 60_000 });
    const session = await manager.session();
    await manager.token();
    assert.deepEqual(calls, ['POST 200']);
    standBefore(session, 300); // within half the life: time to refresh
    await manager.token();
    assert.deepEqual(calls, ['POST 200', 'GET 200']);
  });

  it('refreshes a stored session within the full margin, its life being unknown', async () => {
    const store = new RecordingStore();
    store.session = await api().sessionPost(ALICE);
    const { manager, calls } = managed({ store, refreshMarginMs: 60_000 });
    await manager.token();
    assert.deepEqual(calls, ['GET 200']);
  });

  it('shares one refresh among 20 concurrent token() calls', async () => {
    const session = await api().sessionPost(ALICE);
    const { manager, calls, standBefore } = managed({ session, credentials: ALICE });
    standBefore(session, 300);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => manager.token()));
    assert.deepEqual(calls, ['GET 200']);
    assert.equal(new Set(tokens).size, 1);
  });

  it('shares one login among 20 concurrent first calls', async () => {
    const { manager, calls } = managed({ credentials: ALICE });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => manager.token()));
    assert.deepEqual(calls, ['POST 200']);
    assert.equal(new Set(tokens).size, 1);
  });

  it('logs in again when the session was revoked by another instance', async () => {
    const { manager, calls, changes, standBefore } = managed({ credentials: BOB });
    const revoked = await manager.session();
    // Another client of the same user logs out everywhere.
    const other = await api().sessionPost(BOB);
    await api(other.jwtToken).sessionDelete();
    await assert.rejects(api(revoked.jwtToken).sessionGet(), (e: unknown) => e instanceof ApiError && e.code === 401);

    standBefore(revoked, 300);
    const token = await manager.token();
    assert.notEqual(token, revoked.jwtToken);
    assert.deepEqual(calls, ['POST 200', 'GET 401', 'POST 200']);
    assert.deepEqual(
      changes.map((c) => c.reason),
      ['login', 'login'],
    );
    await accepted(token);
  });

  it('gets a new token after invalidate(token) when another call saw the token refused', async () => {
    const { manager } = managed({ credentials: BOB });
    const revoked = await manager.token();
    await api(revoked).sessionDelete();
    manager.invalidate('some older token'); // ignored: not the current one
    assert.equal(await manager.token(), revoked);
    manager.invalidate(revoked);
    const token = await manager.token();
    assert.notEqual(token, revoked);
    await accepted(token);
  });

  it('without credentials, turns a refused refresh into NotAuthenticatedError, clearing the session', async () => {
    const store = new RecordingStore();
    const session = await api().sessionPost(BOB);
    await api(session.jwtToken).sessionDelete();
    const { manager, changes } = managed({ session, store });
    await assert.rejects(manager.refresh(), (error: unknown) => {
      assert.ok(error instanceof NotAuthenticatedError);
      assert.ok(error.cause instanceof ApiError && error.cause.code === 401);
      return true;
    });
    assert.deepEqual(
      changes.map((c) => [c.reason, c.session]),
      [['rejected', undefined]],
    );
    assert.equal(await manager.current(), undefined);
    assert.deepEqual(store.log, ['get', 'clear']);
    await assert.rejects(manager.token(), NotAuthenticatedError);
  });

  it('logs in directly, without a doomed refresh, once the session has expired', async () => {
    const { manager, calls, standBefore } = managed({ credentials: ALICE });
    const first = await manager.session();
    standBefore(first, -1000);
    await manager.token();
    assert.deepEqual(calls, ['POST 200', 'POST 200']);
  });

  it('starts from a bare token by refreshing it, which tells it the expiry', async () => {
    const { jwtToken } = await api().sessionPost(ALICE);
    const { manager, calls } = managed({ session: jwtToken });
    const session = await manager.session();
    assert.deepEqual(calls, ['GET 200']);
    assert.ok(session.expiresAt.getTime() > Date.now());
  });

  it('rejects a wrong password with the 401 ApiError, keeping the session it had and not the bad credentials', async () => {
    const { manager, calls, standBefore } = managed({ credentials: ALICE });
    const session = await manager.session();
    await assert.rejects(manager.login({ ...ALICE, password: 'wrong password!' }), (e: unknown) => e instanceof ApiError && e.code === 401);
    assert.equal((await manager.current())?.jwtToken, session.jwtToken);
    // The next login (after expiry) still uses the good credentials.
    standBefore(session, -1000);
    await manager.token();
    assert.deepEqual(calls, ['POST 200', 'POST 401', 'POST 200']);
  });

  it('logout revokes on the server, clears the store and forgets the credentials', async () => {
    const store = new RecordingStore();
    const { manager, changes } = managed({ credentials: BOB, store });
    const token = await manager.token();
    await manager.logout();
    await assert.rejects(api(token).sessionGet(), (e: unknown) => e instanceof ApiError && e.code === 401);
    assert.deepEqual(
      changes.map((c) => c.reason),
      ['login', 'logout'],
    );
    assert.deepEqual(store.log, ['get', 'set', 'clear']);
    await assert.rejects(manager.token(), NotAuthenticatedError);
    await manager.logout(); // nothing left to do
  });

  it('logout with an expired token logs in again to revoke, so the other devices are logged out too', async () => {
    const otherDevice = await api().sessionPost(BOB);
    const { manager, calls, changes } = managed({ credentials: BOB, session: expiredCopy(otherDevice.jwtToken, JWT_SECRET) });
    await manager.logout();
    assert.deepEqual(calls, ['DELETE 401', 'POST 200', 'DELETE 200']);
    assert.deepEqual(
      changes.map((c) => c.reason),
      ['login', 'logout'],
    );
    await assert.rejects(api(otherDevice.jwtToken).sessionGet(), (e: unknown) => e instanceof ApiError && e.code === 401);
    await assert.rejects(manager.token(), NotAuthenticatedError);
  });

  it('logout with an expired token and no credentials says the other sessions were not revoked', async () => {
    const otherDevice = await api().sessionPost(BOB);
    const { manager, changes } = managed({ session: expiredCopy(otherDevice.jwtToken, JWT_SECRET) });
    await assert.rejects(manager.logout(), (error: unknown) => {
      assert.ok(error instanceof NotAuthenticatedError);
      assert.match(error.message, /other sessions could not be revoked: log in and log out again/);
      assert.ok(error.cause instanceof ApiError && error.cause.body?.code === 'token_expired');
      return true;
    });
    assert.deepEqual(
      changes.map((c) => c.reason),
      ['logout'],
    );
    assert.equal(await manager.current(), undefined);
    await accepted(otherDevice.jwtToken); // what no client can revoke without a live token
  });

  it('logout keeps the session and credentials when the server cannot be reached, so it can be tried again', async () => {
    const { manager, calls, network } = managed({ credentials: BOB });
    const token = await manager.token();
    network.closedPort = await freePort();
    network.down = true;
    await assert.rejects(manager.logout(), (e: unknown) => e instanceof ApiError && e.code === 0);
    assert.equal((await manager.current())?.jwtToken, token);
    network.down = false;
    await manager.login(); // the credentials are still there
    await manager.logout();
    assert.deepEqual(calls, ['POST 200', 'POST 200', 'DELETE 200']);
    await assert.rejects(api(token).sessionGet(), (e: unknown) => e instanceof ApiError && e.code === 401);
  });

  it('hands out the held token while a mistyped login() is in flight, and refreshes after it when due', async () => {
    const { manager, calls, standBefore } = managed({ credentials: ALICE });
    const session = await manager.session();
    const refused = (e: unknown) => e instanceof ApiError && e.code === 401;
    const mistyped = assert.rejects(manager.login({ ...ALICE, password: 'wrong password!' }), refused);
    await new Promise(setImmediate); // the login request is on its way
    assert.equal(await manager.token(), session.jwtToken);
    await mistyped;

    standBefore(session, 300);
    const again = assert.rejects(manager.login({ ...ALICE, password: 'wrong password!' }), refused);
    await new Promise(setImmediate);
    const token = await manager.token(); // waits for that login, is not failed by it, then refreshes
    await again;
    assert.deepEqual(calls, ['POST 200', 'POST 401', 'POST 401', 'GET 200']);
    await accepted(token);
  });

  it('keeps handing out a still valid token when refreshing ahead of expiry fails, and tries again shortly', async () => {
    const session = await api().sessionPost(ALICE);
    const { manager, calls, standBefore, network } = managed({ session });
    network.closedPort = await freePort();
    network.down = true;
    standBefore(session, 1400); // within the 1500 ms margin
    assert.equal(await manager.token(), session.jwtToken); // after the GET and its retries failed
    assert.equal(await manager.token(), session.jwtToken); // no new attempt at once
    network.down = false;
    // The next attempt comes halfway to expiry at the latest (the retries above took up to ~0.7 s).
    standBefore(session, 100);
    await manager.token();
    assert.deepEqual(calls, ['GET 200']); // (within the same second the server may sign the same token again)
    // Once the held token has expired, a failure is the caller's to see.
    network.down = true;
    standBefore(await manager.session(), -100);
    await assert.rejects(manager.token(), (e: unknown) => e instanceof ApiError && e.code === 0);
  });

  it('judges expiry by the server clock (its Date header) when ours is hours off', async () => {
    const { manager, calls, clock } = managed({ credentials: ALICE });
    clock.offsetMs = 2 * 3600_000;
    const token = await manager.token();
    for (let i = 0; i < 4; i++) assert.equal(await manager.token(), token);
    assert.deepEqual(calls, ['POST 200']);
  });

  it('keeps the session in an async store that the next manager starts from, for the same server only', async () => {
    const store = new RecordingStore();
    const first = managed({ credentials: ALICE, store });
    const token = await first.manager.token();
    assert.equal(store.session?.basePath, server().basePath);
    assert.equal(store.session?.email, ALICE.email);

    const second = managed({ store });
    assert.equal(await second.manager.token(), token);
    assert.deepEqual(second.calls, []);

    const elsewhere = new SessionManager({ configuration: { basePath: 'http://127.0.0.1:1/v1' }, store });
    assert.equal(await elsewhere.current(), undefined);
  });

  it('stops calling a listener once unsubscribed', async () => {
    const { manager } = managed({ credentials: ALICE });
    const seen: string[] = [];
    const unsubscribe = manager.onChange((change) => seen.push(change.reason));
    await manager.login();
    unsubscribe();
    await manager.login();
    assert.deepEqual(seen, ['login']);
  });
});

/** An async store that logs what the manager does with it. */
class RecordingStore implements TokenStore {
  session: StoredSession | undefined;
  log: string[] = [];

  async get() {
    this.log.push('get');
    return this.session;
  }

  async set(session: StoredSession) {
    this.log.push('set');
    this.session = session;
  }

  async clear() {
    this.log.push('clear');
    this.session = undefined;
  }
}
