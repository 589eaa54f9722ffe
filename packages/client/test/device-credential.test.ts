import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileTokenStore } from '../src/file-token-store.js';
import { SessionManager } from '../src/session-manager.js';
import type { TokenStore } from '../src/token-store.js';
import { ALICE, BOB, useApiServer } from './support/server.js';
import { SESSION_BODY, sendJson, startStub, type StubServer } from './support/stub-server.js';

// The device credential (PacerPro-Device): kept per server and account, sent on every later
// login, kept across logouts. Against a real HTTP endpoint that plays the server's header and
// records what the client sent, and against the real pacerpro-auth server.

const directory = mkdtempSync(join(tmpdir(), 'pacerpro-device-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** Answers every login 200 with the next credential of `credentials` (undefined: no header), logouts 200. */
async function deviceServer(credentials: (string | undefined)[]): Promise<StubServer> {
  let logins = 0;
  return startStub((request, response) => {
    if (request.method === 'DELETE') return sendJson(response, 200, {});
    const credential = credentials[logins++];
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    sendJson(response, 200, { ...SESSION_BODY, expiresAt }, credential === undefined ? {} : { 'PacerPro-Device': credential });
  });
}

const sentOnLogins = (stub: StubServer) => stub.requests.filter((r) => r.method === 'POST').map((r) => r.headers['pacerpro-device']);

describe('the device credential', () => {
  it('is sent on the next login, replaced when a new one comes, and kept when an answer has none or after a logout', async () => {
    const stub = await deviceServer(['first-credential', undefined, 'second-credential', undefined]);
    try {
      const manager = new SessionManager({ configuration: { basePath: stub.basePath }, credentials: ALICE });
      await manager.login();
      await manager.login(); // answered without the header: an older server
      await manager.login();
      await manager.logout();
      await manager.login(ALICE);
      assert.deepEqual(sentOnLogins(stub), [undefined, 'first-credential', 'first-credential', 'second-credential']);
    } finally {
      await stub.close();
    }
  });

  for (const store of ['memory', 'file'] as const) {
    it(`is forgotten by logout() only when the caller asks (forgetDevice), not by a plain logout (${store} store)`, async () => {
      const stub = await deviceServer(['kept-credential', undefined, undefined]);
      try {
        const manager = new SessionManager({
          configuration: { basePath: stub.basePath },
          ...(store === 'file' ? { store: new FileTokenStore(join(directory, 'forget.json')) } : {}),
        });
        await manager.login(ALICE);
        await manager.logout();
        await manager.login(ALICE);
        await manager.logout({ forgetDevice: true });
        await manager.login(ALICE);
        assert.deepEqual(sentOnLogins(stub), [undefined, 'kept-credential', undefined]);
      } finally {
        await stub.close();
      }
    });
  }

  it('is not sent for another e-mail nor to another server', async () => {
    const one = await deviceServer(['alice-credential', 'bob-credential', undefined]);
    const other = await deviceServer([undefined]);
    try {
      const store: TokenStore = new FileTokenStore(join(directory, 'accounts.json'));
      const manager = new SessionManager({ configuration: { basePath: one.basePath }, store });
      await manager.login(ALICE);
      await manager.login(BOB);
      await manager.login({ email: ' ALICE@example.com', password: ALICE.password }); // the same account as the server compares it
      await new SessionManager({ configuration: { basePath: other.basePath }, store }).login(ALICE);
      assert.deepEqual(sentOnLogins(one), [undefined, undefined, 'alice-credential']);
      assert.deepEqual(sentOnLogins(other), [undefined]);
    } finally {
      await one.close();
      await other.close();
    }
  });

  it('an oversized or unprintable answer is not kept, and nothing is sent with the next login', async () => {
    const stub = await deviceServer(['x'.repeat(257), 'has space', undefined]);
    try {
      const manager = new SessionManager({ configuration: { basePath: stub.basePath }, credentials: ALICE });
      for (let i = 0; i < 3; i++) await manager.login();
      assert.deepEqual(sentOnLogins(stub), [undefined, undefined, undefined]);
    } finally {
      await stub.close();
    }
  });

  it('the file store keeps it across a logout and a new process, in a file only its owner can read', async () => {
    const stub = await deviceServer(['kept-credential', undefined]);
    const path = join(directory, 'kept.json');
    try {
      const first = new SessionManager({ configuration: { basePath: stub.basePath }, store: new FileTokenStore(path) });
      await first.login(ALICE);
      await first.logout();
      const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      assert.equal(file.jwtToken, undefined, 'the session is gone');
      assert.deepEqual(Object.values(file.devices as object), ['kept-credential']);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      await new SessionManager({ configuration: { basePath: stub.basePath }, store: new FileTokenStore(path) }).login(ALICE);
      assert.deepEqual(sentOnLogins(stub), [undefined, 'kept-credential']);
    } finally {
      await stub.close();
    }
  });

  describe('against pacerpro-auth', () => {
    const server = useApiServer();

    it('a login gets one from the server, and the next login sends it back and keeps it', async () => {
      const store = new FileTokenStore(join(directory, 'real.json'));
      const manager = new SessionManager({ configuration: { basePath: server().basePath }, store });
      await manager.login(ALICE);
      const account = { basePath: server().basePath, email: ALICE.email };
      const issued = await store.getDeviceCredential(account);
      assert.match(issued ?? '', /^[A-Za-z0-9_-]{43}$/);
      await manager.login(ALICE);
      assert.equal(await store.getDeviceCredential(account), issued, 'the server keeps a valid credential, so the client does too');
    });
  });
});
