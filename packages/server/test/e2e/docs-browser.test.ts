import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { call, PASSWORD, startTestServer } from '../support/harness.js';

// The live docs at /v1/docs in a real headless Chromium (Debian's): the page renders the three
// session operations from /v1/openapi.json, loads nothing from another origin, and a login typed
// into its "Try it out" form reaches the running server and gets a token that works.
// A screenshot is kept in test-artifacts/ (not committed).

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

test('the /v1/docs page renders the operations and logs in from its Try it out form', async (t) => {
  if (!existsSync(CHROMIUM)) {
    // CI installs it (.ci/run): there a missing browser is a failure, not a skip.
    if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is missing: apt-get install chromium`);
    t.skip(`${CHROMIUM} is missing (apt-get install chromium): the live docs are not tested here`);
    return;
  }
  const server = await startTestServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    await server.addUser('alice@example.com');
    const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
    const origins = new Set<string>();
    const pageErrors: string[] = [];
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${server.url}/v1/docs`);
    for (const id of ['sessionPost', 'sessionGet', 'sessionDelete']) {
      await page.locator(`#operations-Authentication-${id}`).waitFor();
    }
    assert.equal(await page.locator('.opblock-tag-section .opblock').count(), 5, 'three session operations and two health checks');
    assert.match(await page.locator('#operations-Authentication-sessionPost .opblock-summary').innerText(), /POST\s*\/v1\/session/);
    // The top bar names the document the README names, not the plugin's own /v1/docs/json.
    assert.equal(await page.locator('.topbar select').inputValue(), '/v1/openapi.json');

    // Try it out: open the login, type the credentials into the body editor, execute.
    const post = page.locator('#operations-Authentication-sessionPost');
    await post.locator('.opblock-summary').click();
    const body = post.locator('textarea.body-param__text');
    await body.fill(JSON.stringify({ email: 'alice@example.com', password: PASSWORD }));
    await post.locator('button.execute').click();
    const status = post.locator('.live-responses-table tr.response .response-col_status').first();
    await status.waitFor();
    assert.equal((await status.innerText()).trim(), '200');
    const answer = await post.locator('.live-responses-table tr.response .response-col_description pre').first().innerText();
    const session = JSON.parse(answer) as { jwtToken: string; expiresAt: string };
    assert.match(session.jwtToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    // The token the page got is a real one: the server refreshes it.
    assert.equal((await call(server.url, 'GET', `Bearer ${session.jwtToken}`)).res.status, 200);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}docs-login.png`, fullPage: true });
    assert.deepEqual([...origins], [server.url], 'the page loads everything from the server itself');
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
