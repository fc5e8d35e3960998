// Helpers of the end-to-end suite: browser contexts per user, signing in through the page, axe-core checks,
// screenshots, and a small API client (bearer token) for setting up and cleaning up what the browser does not.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export class Failure extends Error {}

export function check(condition, message) {
  if (!condition) throw new Failure(message);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits until fn() returns something truthy (polling), or fails with `what`.
export async function eventually(what, fn, { timeoutMs = 30_000, everyMs = 250 } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Failure(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(everyMs);
  }
}

// The atrium API as a script sees it (Authorization: Bearer), for setup, checks and cleanup.
export class Api {
  constructor(url, token) {
    this.url = url;
    this.token = token;
  }

  static async login(url, username, password) {
    const r = await fetch(`${url}/api/v1/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!r.ok) throw new Failure(`login of ${username} failed: HTTP ${r.status} ${await r.text()}`);
    return new Api(url, (await r.json()).token);
  }

  async call(method, path, body) {
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: r.status, body: json, text };
  }

  async ok(method, path, body) {
    const r = await this.call(method, path, body);
    if (r.status < 200 || r.status > 299) throw new Failure(`${method} ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    return r.body;
  }
}

// One signed-in browser user: a context of its own (its own cookie jar), light theme, English.
export async function newUserContext(suite, { colorScheme = 'light' } = {}) {
  const context = await suite.browser.newContext({
    baseURL: suite.url,
    viewport: { width: 1366, height: 900 },
    locale: 'en-US',
    colorScheme,
  });
  context.setDefaultTimeout(20_000);
  context.on('page', (page) => watchPage(suite, page));
  return context;
}

// What each page went through that a failure report wants: refused or failed requests, WebSockets opened and
// closed, console errors and warnings (the last 300 lines).
const pageLogs = new WeakMap();
export const pageLog = (page) => pageLogs.get(page) ?? [];

// Unhandled errors and rejections in a page fail the test that runs it.
export function watchPage(suite, page) {
  const log = [];
  pageLogs.set(page, log);
  const note = (line) => {
    log.push(`${new Date().toISOString()} ${line}`);
    if (log.length > 300) log.shift();
  };
  page.on('pageerror', (e) => {
    suite.pageErrors.push(`${page.url()}: ${e.message}`);
    note(`pageerror: ${e.message}`);
  });
  page.on('console', (m) => {
    const text = m.text();
    // The console's own reports: an unhandled rejection, or a page its error boundary caught.
    if (text.includes('unhandled failure') || text.startsWith('page failed:')) suite.pageErrors.push(`${page.url()}: ${text}`);
    if (m.type() === 'error' || m.type() === 'warning') note(`console.${m.type()}: ${text}`);
  });
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) note(`at ${f.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) note(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => note(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText ?? ''}`));
  page.on('websocket', (ws) => {
    note(`ws open ${ws.url()}`);
    ws.on('socketerror', (e) => note(`ws error ${ws.url()}: ${e}`));
    ws.on('close', () => note(`ws close ${ws.url()}`));
  });
}

export async function signIn(page, username, password) {
  await page.goto('/login');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

// Lets the page settle: no pending requests for a moment (access reviews, lists), then fonts and a frame.
export async function settle(page, ms = 300) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.evaluate(() => document.fonts?.ready).catch(() => {});
  await sleep(ms);
}

// axe-core over the whole page; records every violation (the suite's accessibility test fails on serious or
// critical ones, so a journey is not cut short by them).
export async function axe(suite, page, name) {
  await settle(page);
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      count: v.nodes.length,
    }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  suite.axe.push({ page: name, url: page.url(), violations: result, serious: bad.length });
  if (bad.length) {
    console.log(`    axe ${name}: ${bad.map((v) => `${v.impact} ${v.id} at ${v.nodes.map((n) => n.target).join(', ')}`).join('; ')}`);
  }
}

export async function screenshot(suite, page, name) {
  suite.shots += 1;
  const file = join(suite.out, 'screenshots', `${String(suite.shots).padStart(2, '0')}-${name}.png`);
  // The page scrolls inside <main>: make the window as tall as its content for the picture.
  const size = page.viewportSize();
  const tall = await page.evaluate(() => {
    const main = document.querySelector('main');
    return main ? main.scrollHeight + main.getBoundingClientRect().top : 0;
  });
  if (size && tall > size.height) await page.setViewportSize({ width: size.width, height: Math.min(4000, Math.ceil(tall)) });
  await sleep(100);
  await page.screenshot({ path: file, fullPage: true });
  if (size && tall > size.height) await page.setViewportSize(size);
  suite.screenshots.push(file);
}

// Axe and a screenshot of a main page, once it shows `ready` (a locator).
export async function mainPage(suite, page, name, ready) {
  if (ready) await ready.waitFor();
  await axe(suite, page, name);
  await screenshot(suite, page, name);
}
