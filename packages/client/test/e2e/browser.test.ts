// The bundled SDK in headless Chromium, loaded from another origin than the API server, through CORS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium as skip, type StaticSite, startStaticServer } from '../support/browser.js';
import { ALICE, type ApiServer, startApiServer } from '../support/server.js';

const PAGES = { '/': new URL('../support/browser-page.html', import.meta.url) };

describe('in a browser', { skip, timeout: 60_000 }, () => {
  let allowed: StaticSite;
  let stranger: StaticSite;
  let api: ApiServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    allowed = await startStaticServer(PAGES);
    stranger = await startStaticServer(PAGES);
    api = await startApiServer({ corsOrigins: allowed.origin });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await api?.stop();
    allowed?.close();
    stranger?.close();
  });

  async function open(origin: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 10_000 });
    return page;
  }

  it('logs in, refreshes in both Authorization forms, keeps a SessionManager and logs out', async () => {
    const page = await open(allowed.origin);
    const args = JSON.stringify([api.basePath, ALICE.email, ALICE.password]).slice(1, -1);
    const steps = await page.evaluate(`runFlow(${args})`);
    assert.deepEqual(
      steps,
      {
        userAgent: null,
        loginStatus: 200,
        expiresAtIsDate: true,
        authorizationHeaderExposed: true,
        dateHeaderExposed: true,
        refreshBearer: 'ok',
        refreshBare: 'ok',
        changes: ['login', 'refresh', 'logout'],
        afterLogout: '401 Unauthorized',
        wrongPassword: '401 Unauthorized',
      },
      `page errors: ${pageErrors.join('\n')}`,
    );
  });

  it('gets ApiError code 0 from an origin the server does not allow', async () => {
    const page = await open(stranger.origin);
    const args = JSON.stringify([api.basePath, ALICE.email, ALICE.password]).slice(1, -1);
    assert.match(
      String(await page.evaluate(`tryLogin(${args})`)),
      /^0 Cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/session: Failed to fetch$/,
    );
  });
});
