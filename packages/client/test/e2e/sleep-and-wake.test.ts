// A laptop that sleeps through expiry: the page's clock jumps while its timers fire late or not at
// all. Playwright's clock stands in for the sleep (setSystemTime moves Date without firing timers;
// fastForward fires the due ones once, late), against the real server in headless Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthenticationApi } from '../../src/index.js';
import { call, changes, heard, openTab, type Tab, start, useSharedPageSuite } from '../support/app-tab.js';
import { skipWithoutChromium as skip } from '../support/browser.js';
import { ALICE } from '../support/server.js';

const HOUR_MS = 3_600_000;

describe('a page that slept', { skip, timeout: 90_000 }, () => {
  const suite = useSharedPageSuite({ jwtTtlSeconds: 3600 });

  /** A tab whose clock the test moves; started with `options` (credentials, or a session). */
  async function sleepyTab(options: object): Promise<Tab> {
    const context = await suite.browser.newContext();
    await context.clock.install({ time: Date.now() });
    const tab = await openTab(context, suite.site.origin, suite.api, suite.pageErrors);
    await start(tab, suite.api.basePath, options);
    return tab;
  }

  /** A session of ALICE's, logged in from here, for a tab that holds no credentials. */
  async function session() {
    const { jwtToken, expiresAt } = await new AuthenticationApi({ basePath: suite.api.basePath }).sessionPost(ALICE);
    return { jwtToken, expiresAt: expiresAt.toISOString() };
  }

  it('whose clock jumped past expiry, timers unfired, logs in again before handing out a token, not the expired one', async () => {
    const tab = await sleepyTab({ credentials: ALICE });
    assert.ok('ok' in (await call(tab, 'outcome(manager.token())')));
    await tab.page.clock.setSystemTime(Date.now() + 2 * HOUR_MS);
    const before = tab.requests.length;
    assert.ok('ok' in (await call(tab, 'outcome(manager.token())')));
    assert.deepEqual(tab.requests.slice(before), ['POST -'], 'one login, before the token was handed out');
    assert.deepEqual(await changes(tab), ['login', 'login']);
  });

  it('whose timer fired late, past expiry, renews the session before any token() is asked, not waiting for one', async () => {
    const held = await session();
    const tab = await sleepyTab({ session: held });
    await tab.page.clock.fastForward(2 * HOUR_MS);
    await heard(tab, 'refresh');
    assert.deepEqual(tab.requests, [`GET Bearer ${held.jwtToken}`]);
  });

  for (const [event, target] of [
    ['visibilitychange', 'document'],
    ['online', 'window'],
    ['focus', 'window'],
  ] as const) {
    it(`on ${event} after sleeping into the refresh margin, refreshes without being asked, not only at the next token()`, async () => {
      const held = await session();
      const tab = await sleepyTab({ session: held });
      // 30 s before expiry by the page's clock: inside the 60 s margin, and no timer has fired.
      await tab.page.clock.setSystemTime(new Date(held.expiresAt).getTime() - 30_000);
      assert.deepEqual(tab.requests, []);
      await call(tab, `${target}.dispatchEvent(new Event('${event}'))`);
      await heard(tab, 'refresh');
      assert.deepEqual(tab.requests, [`GET Bearer ${held.jwtToken}`]);
      const before = tab.requests.length;
      assert.ok('ok' in (await call(tab, 'outcome(manager.token())')));
      assert.equal(tab.requests.length, before, 'the refreshed token is handed out without another request');
    });
  }
});
