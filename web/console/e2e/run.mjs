// The console's end-to-end suite: headless Chromium (Debian's, through playwright-core; no browser download)
// against a running atrium and the real local cluster. Run by `scripts/console.sh e2e ATRIUM_BINARY`, which
// starts atrium and sets:
//   ATRIUM_E2E_URL             atrium's URL (its public URL: the browser's Origin must be it)
//   ATRIUM_E2E_ADMIN_PASSWORD  the password atrium gave "admin" at first start
//   ATRIUM_E2E_REGISTRY        the registry holding atrium/busybox:1 and :2 (127.0.0.1:25000)
//   ATRIUM_E2E_OUT             where screenshots/, results.json go (build/e2e)
//   ATRIUM_E2E_CHROMIUM        the browser (/usr/bin/chromium)
//   ATRIUM_E2E_LDAP_USER, ATRIUM_E2E_LDAP_PASSWORD, ATRIUM_E2E_LDAP_GROUP
//                              a user of the OpenLDAP directory atrium was started with, their password, and
//                              the DN of an LDAP group they belong to (the LDAP test fails without them)
//   ATRIUM_E2E_ONLY            optional: run only the tests whose names contain this (and what they need)
// Tests run in order and share what they create (a workspace, a project, users); a test whose prerequisite
// failed is skipped and counts as failed. The project (its namespace) is deleted at the end, always.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { accessibility, adminPages, deploy, rollback, tenancy, viewer } from './journeys.mjs';
import { forms } from './forms.mjs';
import { ldapLogin } from './ldap.mjs';
import { Api, pageLog } from './lib.mjs';
import { performanceFigures } from './perf.mjs';

const env = (k, d) => process.env[k] ?? d ?? (() => { throw new Error(`${k} is not set`); })();
const url = env('ATRIUM_E2E_URL');
const out = env('ATRIUM_E2E_OUT', join(process.cwd(), '../../build/e2e'));
const run = Date.now().toString(36).slice(-6);

const suite = {
  url,
  out,
  adminPassword: env('ATRIUM_E2E_ADMIN_PASSWORD'),
  userPassword: `e2e-User-${run}-pass-1`,
  registry: env('ATRIUM_E2E_REGISTRY', '127.0.0.1:25000'),
  ldap: process.env.ATRIUM_E2E_LDAP_USER
    ? { user: process.env.ATRIUM_E2E_LDAP_USER, password: env('ATRIUM_E2E_LDAP_PASSWORD'), group: env('ATRIUM_E2E_LDAP_GROUP') }
    : null,
  names: {
    workspace: `e2e-ws-${run}`,
    project: `e2e-${run}`,
    developer: `dev-${run}`,
    viewer: `viewer-${run}`,
  },
  browser: null,
  api: null,
  contexts: {},
  created: { clusters: [] },
  axe: [],
  screenshots: [],
  shots: 0,
  figures: {},
  pageErrors: [],
};

const tests = [
  { name: 'journey 2: the admin creates a workspace, a project and its members', run: tenancy },
  { name: 'main pages of the platform, workspace and project (axe, screenshots)', run: adminPages, needs: [0] },
  { name: 'journey 3: the developer deploys, sees it run, scales, follows logs, opens a terminal', run: deploy, needs: [0] },
  { name: 'journey 3: a new image from YAML, rolled back to revision 1', run: rollback, needs: [2] },
  { name: 'a viewer sees no mutating control and the API refuses them', run: viewer, needs: [2] },
  { name: 'performance: LCP, 10,000-pod list, scrolling', run: performanceFigures, needs: [2] },
  { name: 'forms: groups, roles, cluster members, preflight, clusters added/edited/removed, quotas, ConfigMap/Secret/Service, users', run: forms, needs: [0] },
  { name: 'LDAP: a directory user signs in (wrong password refused), is provisioned and mapped to a group', run: ldapLogin },
  { name: 'accessibility: no serious or critical axe violation on any main page', run: accessibility, needs: [1, 2] },
];

function selected() {
  const only = process.env.ATRIUM_E2E_ONLY;
  if (!only) return new Set(tests.map((_, i) => i));
  const want = new Set();
  const add = (i) => {
    if (want.has(i)) return;
    want.add(i);
    for (const n of tests[i].needs ?? []) add(n);
  };
  tests.forEach((t, i) => t.name.includes(only) && add(i));
  return want;
}

async function cleanup() {
  const { names } = suite;
  const api = suite.api;
  if (!api) return;
  const created = suite.created;
  const steps = [
    ...(created.group ? [['DELETE', `/api/v1/groups/${created.group}`]] : []),
    ...(created.ldapGroup ? [['DELETE', `/api/v1/members/group:${created.ldapGroup}`], ['DELETE', `/api/v1/groups/${created.ldapGroup}`]] : []),
    ...(created.ldapUser ? [['DELETE', `/api/v1/users/${created.ldapUser}`]] : []),
    ...(created.role ? [['DELETE', `/api/v1/workspaces/${names.workspace}/roles/${created.role}`]] : []),
    ...created.clusters.map((c) => ['DELETE', `/api/v1/clusters/${c}`]),
    ['DELETE', `/api/v1/clusters/local/members/${names.developer}`],
    ['DELETE', `/api/v1/workspaces/${names.workspace}/projects/${names.project}?confirm=${names.project}`],
    ['DELETE', `/api/v1/workspaces/${names.workspace}`],
    ['DELETE', `/api/v1/users/${names.developer}`],
    ['DELETE', `/api/v1/users/${names.viewer}`],
  ];
  for (const [method, path] of steps) {
    const r = await api.call(method, path).catch((e) => ({ status: 0, text: e.message }));
    if (r.status >= 300 && r.status !== 404) console.log(`  cleanup: ${method} ${path}: ${r.status} ${r.text?.slice(0, 200)}`);
  }
}

async function main() {
  mkdirSync(join(out, 'screenshots'), { recursive: true });
  const started = Date.now();
  suite.browser = await chromium.launch({
    executablePath: env('ATRIUM_E2E_CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    // playwright-core starts the browser with a fresh, temporary --user-data-dir of its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  console.log(`e2e: Chromium ${suite.browser.version()} against ${url} (run ${run})`);
  suite.api = await Api.login(url, 'admin', suite.adminPassword);

  const want = selected();
  const results = [];
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i];
    if (!want.has(i)) continue;
    const blocked = (t.needs ?? []).filter((n) => results.find((r) => r.index === n)?.status !== 'passed');
    if (blocked.length) {
      results.push({ index: i, name: t.name, status: 'skipped', error: `needs: ${blocked.map((n) => tests[n].name).join('; ')}` });
      console.log(`- SKIP ${t.name}`);
      continue;
    }
    const t0 = Date.now();
    const errorsBefore = suite.pageErrors.length;
    let status = 'passed';
    let error;
    try {
      await t.run(suite);
      const pageErrors = suite.pageErrors.slice(errorsBefore);
      if (pageErrors.length) throw new Error(`unhandled errors in the page: ${pageErrors.join(' | ')}`);
    } catch (e) {
      status = 'failed';
      error = e instanceof Error ? `${e.message}` : String(e);
      // the state of every open page, for the report
      for (const [who, context] of Object.entries(suite.contexts)) {
        for (const [k, p] of context.pages().entries()) {
          await p.screenshot({ path: join(out, 'screenshots', `failure-${i}-${who}-${k}.png`), fullPage: true }).catch(() => {});
          try {
            writeFileSync(join(out, 'screenshots', `failure-${i}-${who}-${k}.log`), `${p.url()}\n${pageLog(p).join('\n')}\n`);
          } catch {
            // the report goes on without it
          }
        }
      }
    }
    const ms = Date.now() - t0;
    results.push({ index: i, name: t.name, status, ms, ...(error ? { error } : {}) });
    console.log(`${status === 'passed' ? 'ok  ' : 'FAIL'} ${t.name} (${(ms / 1000).toFixed(1)} s)${error ? `\n     ${error}` : ''}`);
  }

  await cleanup();
  const chromiumVersion = suite.browser.version();
  await suite.browser.close();

  const failed = results.filter((r) => r.status !== 'passed');
  const report = {
    url,
    run,
    chromium: chromiumVersion,
    durationMs: Date.now() - started,
    tests: results,
    figures: suite.figures,
    viewerRefusals: suite.viewerRefusals,
    axe: suite.axe.map((a) => ({ page: a.page, serious: a.serious, violations: a.violations })),
    screenshots: suite.screenshots.map((f) => f.slice(out.length + 1)),
  };
  writeFileSync(join(out, 'results.json'), JSON.stringify(report, null, 2) + '\n');

  const f = suite.figures;
  console.log('');
  if (f.lcp) console.log(`LCP of the workload list: ${f.lcp.coldCacheMs} ms with an empty cache, ${f.lcp.warmCacheMs} ms warm (goal <= ${f.lcp.goalMs} ms; largest: ${f.lcp.element})`);
  if (f.list10k) {
    console.log(`10,000-pod list: first screen ${f.list10k.renderAfterDataMs} ms after the data arrived (goal <= ${f.list10k.goalMs} ms)` +
      `; from the first object: ${f.list10k.burst.firstObjectToPaintMs} ms at network speed, ${f.list10k.routed.firstObjectToPaintMs} ms through the test's WebSocket route`);
  }
  if (f.scroll) console.log(`scrolling it: ${f.scroll.longTasks} long task(s), longest ${f.scroll.longestTaskMs} ms (goal: none over ${f.scroll.goalMs} ms)`);
  console.log(`axe: ${suite.axe.length} page(s) checked, ${suite.axe.filter((a) => a.serious).length} with serious or critical violations; screenshots: ${suite.screenshots.length} in ${join(out, 'screenshots')}`);
  console.log(`e2e: ${results.length - failed.length} of ${results.length} passed in ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${join(out, 'results.json')}`);
  process.exit(failed.length ? 1 : 0);
}

main().catch(async (e) => {
  console.error(`e2e: ${e instanceof Error ? e.stack : e}`);
  await cleanup().catch(() => {});
  await suite.browser?.close().catch(() => {});
  process.exit(2);
});
