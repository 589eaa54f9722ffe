// One tab of the browser app in shared-session-page.html, driven from a test: its manager is
// started and called by expression, its requests to the API are recorded as the page sends them.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, type StaticSite, startStaticServer } from './browser.js';
import { type ApiServer, type ApiServerOptions, startApiServer } from './server.js';

export interface Tab {
  page: Page;
  /** `METHOD Authorization` of every request the page sent to the API. */
  requests: string[];
  /** The PacerPro-Device header of every login the page sent ('-' for none). */
  devices: string[];
}

/** What outcome(promise) in the page answers: the token (or null), or the error's name. */
export type Outcome = { ok: string | null } | { error: string };

export const SHARED_SESSION_PAGE = new URL('./shared-session-page.html', import.meta.url);

/** Opens the page at `origin`/shared (tabs of one context share an origin's channels and storage). */
export async function openTab(
  context: BrowserContext,
  origin: string,
  api: { origin: string },
  errors: string[],
  query = '',
): Promise<Tab> {
  const page = await context.newPage();
  const tab: Tab = { page, requests: [], devices: [] };
  page.on('request', (request) => {
    if (!request.url().startsWith(api.origin)) return;
    const headers = request.headers();
    tab.requests.push(`${request.method()} ${headers.authorization ?? '-'}`);
    if (request.method() === 'POST') tab.devices.push(headers['pacerpro-device'] ?? '-');
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin}/shared${query}`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 10_000 });
  return tab;
}

/** Evaluates `expression` in the tab. */
export const call = <T = Outcome>(tab: Tab, expression: string): Promise<T> => tab.page.evaluate(expression) as Promise<T>;

/** Starts the tab's manager against `basePath`; options: credentials, session. */
export const start = (tab: Tab, basePath: string, options: object = {}) =>
  call(tab, `start(${JSON.stringify(basePath)}, ${JSON.stringify(options)})`);

/** Waits, by event and not by time, until the tab's manager has reported `count` changes for `reason`. */
export const heard = (tab: Tab, reason: string, count = 1) =>
  tab.page.waitForFunction(`changes.filter((c) => c === '${reason}').length >= ${count}`, undefined, { timeout: 10_000 });

/** The reasons the tab's manager reported so far. */
export const changes = (tab: Tab) => call<string[]>(tab, 'changes');

/** What a suite of shared-page tests runs against; set before its first test. */
export interface SharedPageSuite {
  site: StaticSite;
  api: ApiServer;
  browser: Browser;
  /** Every error a page reported; the suite fails at its end unless it is empty. */
  readonly pageErrors: string[];
}

/**
 * For the enclosing describe(): the shared-session page on an origin of its own, a real API server
 * that allows that origin through CORS, and Chromium; all stopped after the suite.
 */
export function useSharedPageSuite(apiOptions: Omit<ApiServerOptions, 'corsOrigins'> = {}): SharedPageSuite {
  const suite = { pageErrors: [] as string[] } as SharedPageSuite;
  before(async () => {
    suite.site = await startStaticServer({ '/shared': SHARED_SESSION_PAGE });
    suite.api = await startApiServer({ ...apiOptions, corsOrigins: suite.site.origin });
    suite.browser = await launchChromium();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.api?.stop();
    suite.site?.close();
    assert.deepEqual(suite.pageErrors, [], 'no page reported an error');
  });
  return suite;
}
