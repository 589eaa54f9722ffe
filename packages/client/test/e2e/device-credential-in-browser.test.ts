// The device credential (PacerPro-Device) in a browser: kept in the shared store next to the
// session, sent on every login through CORS, and what lets the owner in while a stranger's wrong
// passwords have throttled every login that comes without it (SECURITY.md, "Login throttling, by lane").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ApiError, AuthenticationApi } from '../../src/index.js';
import { call, openTab, SHARED_SESSION_PAGE, start } from '../support/app-tab.js';
import { launchChromium, skipWithoutChromium as skip, type StaticSite, startStaticServer } from '../support/browser.js';
import { ALICE, type ApiServer, startApiServer } from '../support/server.js';

const MAX_FAILURES = 3;

/** The status a login from here (Node, the same address as the browser, no device credential) gets. */
async function loginStatus(basePath: string, password: string): Promise<number> {
  try {
    await new AuthenticationApi({ basePath, retry: false }).sessionPost({ email: ALICE.email, password });
    return 200;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
}

describe('the device credential in a browser', { skip, timeout: 90_000 }, () => {
  let site: StaticSite;
  let api: ApiServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    site = await startStaticServer({ '/shared': SHARED_SESSION_PAGE });
    api = await startApiServer({ corsOrigins: site.origin, loginMaxFailures: MAX_FAILURES });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await api?.stop();
    site?.close();
    assert.deepEqual(pageErrors, [], 'no page reported an error');
  });

  it('is sent on the next login, which gets in while an attack on the e-mail throttles logins without it', async () => {
    const tab = await openTab(await browser.newContext(), site.origin, api, pageErrors, '?persist=local');
    await start(tab, api.basePath, { credentials: ALICE });
    assert.ok('ok' in (await call(tab, 'outcome(manager.login())')));
    assert.ok('ok' in (await call(tab, 'outcome(manager.logout())')));
    const kept = await call<string[]>(tab, `Object.values(JSON.parse(localStorage.getItem('pacerpro-session')).devices)`);
    assert.equal(kept.length, 1, 'kept in the store next to the session, across the logout');

    // The attack: wrong passwords until the lane a login without a credential goes through is throttled.
    const statuses: number[] = [];
    while (statuses.at(-1) !== 429 && statuses.length <= MAX_FAILURES + 1) statuses.push(await loginStatus(api.basePath, 'wrong password'));
    assert.equal(statuses.at(-1), 429, `the attack was throttled: ${statuses.join(', ')}`);
    assert.equal(await loginStatus(api.basePath, ALICE.password), 429, 'the right password without the credential is throttled too');

    // logout() forgot the password (it keeps only the device credential): the owner types it again.
    const owner = await call(tab, `outcome(manager.login(${JSON.stringify(ALICE)}))`);
    assert.ok('ok' in owner, `the owner gets in, not ${JSON.stringify(owner)}`);
    assert.deepEqual(tab.devices, ['-', kept[0]]);
  });
});
