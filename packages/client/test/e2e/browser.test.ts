// The bundled SDK in headless Chromium, loaded from another origin than the API server, through CORS.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ALICE, type ApiServer, REPO_ROOT, startApiServer } from '../support/server.js';

const CHROMIUM = '/usr/bin/chromium';
const DIST = join(REPO_ROOT, 'packages/client/dist');
const PAGE = new URL('../support/browser-page.html', import.meta.url);

// CI installs Chromium (.ci/run), so there a missing browser is a failure; elsewhere, say why it is skipped.
const missing = !existsSync(CHROMIUM);
const skip = missing && process.env.CI !== 'true' ? `no Chromium at ${CHROMIUM}: apt-get install -y chromium` : false;

/** Serves the page and the built SDK (dist/*.js) from its own origin. */
async function startStaticServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    try {
      if (path === '/') {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(await readFile(PAGE));
      } else if (/^\/dist\/[\w.-]+\.js$/.test(path)) {
        const file = normalize(join(DIST, path.slice('/dist/'.length)));
        response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(await readFile(file));
      } else {
        response.writeHead(404).end();
      }
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('in a browser', { skip, timeout: 60_000 }, () => {
  let allowed: { origin: string; server: Server };
  let stranger: { origin: string; server: Server };
  let api: ApiServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    assert.ok(!missing, `no Chromium at ${CHROMIUM}; .ci/run installs it with apt-get install chromium`);
    allowed = await startStaticServer();
    stranger = await startStaticServer();
    api = await startApiServer({ corsOrigins: allowed.origin });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await api?.stop();
    for (const site of [allowed, stranger]) {
      site?.server.closeAllConnections();
      site?.server.close();
    }
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
