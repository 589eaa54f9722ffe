// The SDK as a browser app uses it: several tabs of one origin sharing one session through
// BroadcastSessionStore, against the real server, in headless Chromium. Requests are counted as
// the page sends them (page.on('request')), so "without a request" is observed, not assumed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContext, Route } from 'playwright-core';
import { AuthenticationApi } from '../../src/index.js';
import { call, changes, heard, openTab, type Tab, start as startTab, useSharedPageSuite } from '../support/app-tab.js';
import { skipWithoutChromium as skip } from '../support/browser.js';
import { forgeToken } from '../support/jwt.js';
import { ALICE, JWT_SECRET } from '../support/server.js';

describe('one session shared by the tabs of an origin', { skip, timeout: 90_000 }, () => {
  const suite = useSharedPageSuite();

  const open = (context: BrowserContext, query = '') => openTab(context, suite.site.origin, suite.api, suite.pageErrors, query);
  const start = (tab: Tab, options: object = {}) => startTab(tab, suite.api.basePath, options);

  /** Two started tabs; the first holds the credentials, the second none (so any token it has is shared). */
  async function twoTabs(query = ''): Promise<[Tab, Tab]> {
    const context = await suite.browser.newContext();
    const a = await open(context, query);
    const b = await open(context, query);
    await start(a, { credentials: ALICE });
    await start(b);
    return [a, b];
  }

  it('a login in one tab is the token of another without a request, not a second login or NotAuthenticatedError', async () => {
    const [a, b] = await twoTabs();
    const login = await call(a, 'outcome(manager.login())');
    await heard(b, 'login');
    assert.deepEqual(await call(b, 'outcome(manager.token())'), login);
    assert.deepEqual(b.requests, []);
  });

  it('a refresh in one tab replaces the token of another, not leaving it on the old one', async () => {
    const [a, b] = await twoTabs();
    // A real token re-signed to expire in two minutes, so that the refresh surely answers another one.
    const real = await new AuthenticationApi({ basePath: suite.api.basePath }).sessionPost(ALICE);
    const exp = Math.floor(Date.now() / 1000) + 120;
    const old = { jwtToken: forgeToken(real.jwtToken, { exp }, JWT_SECRET), expiresAt: new Date(exp * 1000).toISOString() };
    await call(a, `share(${JSON.stringify({ ...old, basePath: suite.api.basePath })})`);
    await heard(a, 'login');
    await heard(b, 'login');
    assert.deepEqual(await call(b, 'outcome(manager.token())'), { ok: old.jwtToken });

    const refreshed = await call(a, 'outcome(manager.refresh())');
    assert.ok('ok' in refreshed && refreshed.ok !== old.jwtToken);
    await heard(b, 'refresh');
    assert.deepEqual(await call(b, 'outcome(manager.token())'), refreshed);
    assert.deepEqual(b.requests, []);
  });

  it('a logout in one tab makes the next token() of another throw NotAuthenticatedError, not send the revoked token', async () => {
    const [a, b] = await twoTabs();
    await call(a, 'outcome(manager.login())');
    await heard(b, 'login');
    await call(a, 'outcome(manager.logout())');
    await heard(b, 'logout');
    assert.deepEqual(await call(b, 'outcome(manager.token())'), { error: 'NotAuthenticatedError' });
    assert.equal(await call(b, 'manager.current() ?? null'), null);
    assert.deepEqual(b.requests, []);
  });

  it('a refresh answered after a logout in another tab is dropped, not bringing the session back in any tab', async () => {
    const [a, b] = await twoTabs();
    await call(a, 'outcome(manager.login())');
    await heard(b, 'login');
    // The server answers b's refresh (its token is still valid then), but the answer reaches b only after a's logout.
    let answered!: (route: Route) => void;
    const held = new Promise<Route>((resolve) => (answered = resolve));
    await b.page.route(`${suite.api.basePath}/session`, (route) => answered(route));
    const refresh = call(b, 'outcome(manager.refresh())');
    const route = await held;
    const response = await route.fetch();
    assert.equal(response.status(), 200);
    await call(a, 'outcome(manager.logout())');
    await heard(b, 'logout');
    await route.fulfill({ response });

    assert.deepEqual(await refresh, { error: 'NotAuthenticatedError' });
    for (const tab of [a, b]) {
      assert.equal(await call(tab, 'manager.current() ?? null'), null);
      assert.deepEqual(await changes(tab), ['login', 'logout']);
    }
    assert.deepEqual(await call(b, 'outcome(manager.token())'), { error: 'NotAuthenticatedError' });
  });

  it('a tab opened later starts from the shared session, without logging in again', async () => {
    for (const query of ['', '?persist=local']) {
      const [a] = await twoTabs(query);
      const login = await call(a, 'outcome(manager.login())');
      // The other tab's answer ends the wait at once; the long bound only keeps a loaded machine from failing the test.
      const later = await open(a.page.context(), `${query || '?'}&peerWaitMs=10000`);
      await start(later);
      await call(later, 'manager.ready()');
      assert.deepEqual(await call(later, 'outcome(manager.token())'), login, `persist: ${query || 'none'}`);
      assert.deepEqual(later.requests, []);
    }
  });
});
