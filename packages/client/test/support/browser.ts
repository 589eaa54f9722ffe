// Debian's headless Chromium through playwright-core, and a static server for the test pages and
// the built SDK (dist/*.js), as the browser tests share them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { REPO_ROOT } from './server.js';

export const CHROMIUM = '/usr/bin/chromium';
const DIST = join(REPO_ROOT, 'packages/client/dist');

const missing = !existsSync(CHROMIUM);
/** CI installs Chromium (.ci/run), so there a missing browser is a failure; elsewhere, the suite is skipped saying why. */
export const skipWithoutChromium: string | false =
  missing && process.env.CI !== 'true' ? `no Chromium at ${CHROMIUM}: apt-get install -y chromium` : false;

export function launchChromium(): Promise<Browser> {
  assert.ok(!missing, `no Chromium at ${CHROMIUM}; .ci/run installs it with apt-get install chromium`);
  return chromium.launch({
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
}

export interface StaticSite {
  origin: string;
  close(): void;
}

/** Serves each page of `pages` (path -> HTML file) and the built SDK under /dist/, from its own origin. */
export async function startStaticServer(pages: Record<string, URL>): Promise<StaticSite> {
  const server: Server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    try {
      const page = pages[path];
      if (page) {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(await readFile(page));
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
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
