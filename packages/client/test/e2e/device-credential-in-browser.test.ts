// The device credential (PacerPro-Device) in a browser: kept in the shared store next to the
// session, sent on every login through CORS, and what lets the owner in while a stranger's wrong
// passwords have throttled every login that comes without it (SECURITY.md, "Login throttling, by lane").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, AuthenticationApi } from '../../src/index.js';
import { call, openTab, start, useSharedPageSuite } from '../support/app-tab.js';
import { skipWithoutChromium as skip } from '../support/browser.js';
import { ALICE } from '../support/server.js';

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
  const suite = useSharedPageSuite({ loginMaxFailures: MAX_FAILURES });

  it('is sent on the next login, which gets in while an attack on the e-mail throttles logins without it', async () => {
    const tab = await openTab(await suite.browser.newContext(), suite.site.origin, suite.api, suite.pageErrors, '?persist=local');
    await start(tab, suite.api.basePath, { credentials: ALICE });
    assert.ok('ok' in (await call(tab, 'outcome(manager.login())')));
    assert.ok('ok' in (await call(tab, 'outcome(manager.logout())')));
    const kept = await call<string[]>(tab, `Object.values(JSON.parse(localStorage.getItem('pacerpro-session')).devices)`);
    assert.equal(kept.length, 1, 'kept in the store next to the session, across the logout');

    // The attack: wrong passwords until the lane a login without a credential goes through is throttled.
    const statuses: number[] = [];
    while (statuses.at(-1) !== 429 && statuses.length <= MAX_FAILURES + 1)
      statuses.push(await loginStatus(suite.api.basePath, 'wrong password'));
    assert.equal(statuses.at(-1), 429, `the attack was throttled: ${statuses.join(', ')}`);
    assert.equal(await loginStatus(suite.api.basePath, ALICE.password), 429, 'the right password without the credential is throttled too');

    // logout() forgot the password (it keeps only the device credential): the owner types it again.
    const owner = await call(tab, `outcome(manager.login(${JSON.stringify(ALICE)}))`);
    assert.ok('ok' in owner, `the owner gets in, not ${JSON.stringify(owner)}`);
    assert.deepEqual(tab.devices, ['-', kept[0]]);
  });
});
