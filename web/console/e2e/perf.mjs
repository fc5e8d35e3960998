// The numbers of issue #5, from Chromium's own performance API:
//  - Largest Contentful Paint of the workload list page (a fresh load, signed in): goal <= 1.5 s;
//  - first screen of a 10,000-pod list after its data arrived: goal <= 300 ms. The list's watch WebSocket is
//    answered by the test (page.routeWebSocket): 10,000 ADDED objects then SYNCED, as atrium sends them, so this
//    measures the console's rendering, not the server. Measured from the User Timing marks the list sets
//    ("atrium:list:synced" when the last object has arrived, "atrium:list:painted" after the frame that shows
//    the list);
//    A second run delivers the same messages at network speed from a stand-in WebSocket inside the page;
//  - long tasks while scrolling that list: goal none over 100 ms.
import { check, eventually, newUserContext, signIn, sleep } from './lib.mjs';

export const goals = { lcpMs: 1500, render10kMs: 300, longTaskMs: 100 };

// A realistic pod of a Deployment (about 1.6 KB of JSON).
function pod(i, ns) {
  const hash = 'd8f7c9b5';
  const id = i.toString(36).padStart(5, '0');
  const created = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace('.000', '');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `api-${hash}-${id}`,
      namespace: ns,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(100000 + i),
      creationTimestamp: created,
      labels: { app: 'api', 'pod-template-hash': hash, 'app.kubernetes.io/part-of': 'merchant' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `api-${hash}`, uid: 'rs-uid', controller: true }],
    },
    spec: {
      nodeName: `node-${i % 40}`,
      containers: [
        {
          name: 'api',
          image: 'registry.example.com/merchant/api:1.4.2',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'production' }, { name: 'LOG_LEVEL', value: 'info' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 10 },
        },
        { name: 'proxy', image: 'registry.example.com/infra/proxy:2.1', ports: [{ containerPort: 9090, protocol: 'TCP' }] },
      ],
    },
    status: {
      phase: i % 97 === 0 ? 'Pending' : 'Running',
      podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      hostIP: `192.168.0.${i % 40}`,
      startTime: created,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: created }],
      containerStatuses: [
        { name: 'api', ready: true, restartCount: i % 7 === 0 ? 2 : 0, state: { running: { startedAt: created } } },
        { name: 'proxy', ready: true, restartCount: 0, state: { running: { startedAt: created } } },
      ],
    },
  };
}

async function lcpOfWorkloads(suite, context, url) {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.getByRole('link', { name: 'web', exact: true }).waitFor();
  await sleep(1000);
  const lcp = await page.evaluate(
    () =>
      new Promise((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          const last = entries[entries.length - 1];
          resolve({
            ms: last.startTime,
            element: last.element ? `${last.element.tagName.toLowerCase()} "${(last.element.textContent ?? '').slice(0, 40)}"` : '',
            size: last.size,
          });
        }).observe({ type: 'largest-contentful-paint', buffered: true });
        setTimeout(() => resolve(null), 3000);
      }),
  );
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return n ? { ttfb: n.responseStart, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd } : null;
  });
  await page.close();
  return { lcp, nav };
}

export async function performanceFigures(suite) {
  const { names } = suite;
  const context = await newUserContext(suite);
  suite.contexts.performance = context;
  const signInPage = await context.newPage();
  await signIn(signInPage, names.developer, suite.userPassword);
  await signInPage.close();
  const workloads = `/workspaces/${names.workspace}/projects/${names.project}/workloads`;

  // LCP with an empty browser cache (a new context holding only the session cookie: every script, style and
  // API answer comes from atrium), the figure held to the goal; and, for reference, the median of three loads
  // with the cache a returning user has.
  const state = await context.storageState();
  const coldRuns = [];
  for (let i = 0; i < 3; i++) {
    const fresh = await suite.browser.newContext({ baseURL: suite.url, viewport: { width: 1366, height: 900 }, locale: 'en-US', storageState: state });
    coldRuns.push(await lcpOfWorkloads(suite, fresh, workloads));
    await fresh.close();
  }
  const warmRuns = [];
  for (let i = 0; i < 3; i++) warmRuns.push(await lcpOfWorkloads(suite, context, workloads));
  const median = (runs) => runs.map((r) => r.lcp?.ms ?? Infinity).sort((a, b) => a - b)[1];
  suite.figures.lcp = {
    coldCacheMs: Math.round(median(coldRuns)),
    warmCacheMs: Math.round(median(warmRuns)),
    runsMs: { cold: coldRuns.map((r) => Math.round(r.lcp?.ms ?? -1)), warm: warmRuns.map((r) => Math.round(r.lcp?.ms ?? -1)) },
    element: coldRuns[0].lcp?.element,
    navigation: coldRuns[0].nav,
    goalMs: goals.lcpMs,
  };

  // 10,000 pods through a mocked watch.
  const page = await context.newPage();
  const total = 10_000;
  const frames = Array.from({ length: total }, (_, i) => JSON.stringify({ type: 'ADDED', object: pod(i, names.project) }));
  let sentAt = 0;
  await page.routeWebSocket(new RegExp(`/namespaces/${names.project}/pods(\\?|$)`), async (ws) => {
    for (const f of frames) ws.send(f);
    ws.send(JSON.stringify({ type: 'SYNCED', total }));
    sentAt = Date.now();
  });
  await page.goto(`/workspaces/${names.workspace}/projects/${names.project}/pods`);
  await eventually('the 10,000-pod list to be painted', () =>
    page.evaluate(() => performance.getEntriesByName('atrium:list:painted').length > 0), { timeoutMs: 120_000 });
  check(sentAt > 0, 'the mocked watch sent its objects');
  const marks = await page.evaluate(() => {
    const at = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
    return { first: at('atrium:list:first-data'), synced: at('atrium:list:synced'), painted: at('atrium:list:painted') };
  });
  await eventually('"10000 in total" (routed)', async () =>
    (await page.locator('.list-footer').innerText()).includes('10000 in total'), { timeoutMs: 10_000 });
  const firstRow = page.getByRole('rowgroup', { name: 'Rows' }).getByRole('row').first();
  check((await firstRow.innerText()).includes('api-d8f7c9b5-'), 'the first screen shows pods');
  const renderMs = marks.painted - marks.synced;

  // The same list arriving at network speed: a stand-in WebSocket inside the page (objects made before it
  // opens) delivers the 10,000 messages as fast as the page takes them, one event each, as a browser does.
  // (A context of its own: page.routeWebSocket above takes WebSocket over in the whole context.)
  const burstContext = await suite.browser.newContext({ baseURL: suite.url, viewport: { width: 1366, height: 900 }, locale: 'en-US', storageState: state });
  suite.contexts.burst = burstContext;
  const burst = await burstContext.newPage();
  await burst.addInitScript({
    content: `(() => {
      const pod = ${pod.toString()};
      const Real = window.WebSocket;
      window.WebSocket = function (url, protocols) {
        if (!String(url).split('?')[0].endsWith('/namespaces/${names.project}/pods')) return new Real(url, protocols);
        const frames = [];
        for (let i = 0; i < ${total}; i++) frames.push(JSON.stringify({ type: 'ADDED', object: pod(i, '${names.project}') }));
        frames.push(JSON.stringify({ type: 'SYNCED', total: ${total} }));
        const ws = { readyState: 0, close() { this.readyState = 3; }, send() {} };
        const channel = new MessageChannel();
        let next = 0;
        channel.port1.onmessage = () => {
          if (ws.readyState !== 1) return;
          ws.onmessage && ws.onmessage({ data: frames[next++] });
          if (next < frames.length) channel.port2.postMessage(0);
        };
        setTimeout(() => { ws.readyState = 1; ws.onopen && ws.onopen({}); channel.port2.postMessage(0); }, 0);
        return ws;
      };
      window.WebSocket.CONNECTING = 0; window.WebSocket.OPEN = 1; window.WebSocket.CLOSING = 2; window.WebSocket.CLOSED = 3;
    })();`,
  });
  await burst.goto(`/workspaces/${names.workspace}/projects/${names.project}/pods`);
  await eventually('the 10,000-pod list (burst) to be painted', () =>
    burst.evaluate(() => performance.getEntriesByName('atrium:list:painted').length > 0), { timeoutMs: 120_000 });
  const burstMarks = await burst.evaluate(() => {
    const at = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
    return { first: at('atrium:list:first-data'), synced: at('atrium:list:synced'), painted: at('atrium:list:painted') };
  });
  await eventually('"10000 in total" (burst)', async () =>
    (await burst.locator('.list-footer').innerText()).includes('10000 in total'), { timeoutMs: 10_000 });
  await burstContext.close();
  delete suite.contexts.burst;
  const burstRenderMs = burstMarks.painted - burstMarks.synced;

  // Scrolling the whole list with the wheel and by jumps, watching for long tasks.
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => window.__longTasks.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
  });
  const viewport = page.getByRole('rowgroup', { name: 'Rows' });
  await viewport.hover();
  const started = Date.now();
  for (let i = 0; i < 80; i++) {
    await page.mouse.wheel(0, 1200);
    await sleep(16);
  }
  for (const fraction of [0.25, 0.5, 0.75, 1, 0.1, 0.9, 0]) {
    await viewport.evaluate((el, f) => { el.scrollTop = f * (el.scrollHeight - el.clientHeight); }, fraction);
    await sleep(100);
  }
  await page.keyboard.press('End');
  await sleep(300);
  const scrollMs = Date.now() - started;
  const longTasks = await page.evaluate(() => window.__longTasks);
  await viewport.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await sleep(200);
  const lastIndex = Number(await viewport.getByRole('row').last().getAttribute('aria-rowindex'));
  check(lastIndex === total + 1, `the list scrolls to its last row (row ${lastIndex} of ${total + 1})`);
  suite.figures.list10k = {
    pods: total,
    renderAfterDataMs: Math.round(Math.max(renderMs, burstRenderMs)),
    routed: { renderAfterDataMs: Math.round(renderMs), firstObjectToPaintMs: Math.round(marks.painted - marks.first) },
    burst: { renderAfterDataMs: Math.round(burstRenderMs), firstObjectToPaintMs: Math.round(burstMarks.painted - burstMarks.first) },
    goalMs: goals.render10kMs,
  };
  suite.figures.scroll = {
    durationMs: scrollMs,
    longTasks: longTasks.length,
    longestTaskMs: Math.round(Math.max(0, ...longTasks)),
    steps: '80 wheel turns of 1200 px, 7 jumps, End',
    goalMs: goals.longTaskMs,
  };
  await page.close();
  await context.close();
  delete suite.contexts.performance;

  const problems = [];
  if (!(suite.figures.lcp.coldCacheMs <= goals.lcpMs)) problems.push(`LCP ${suite.figures.lcp.coldCacheMs} ms > ${goals.lcpMs} ms`);
  if (!(suite.figures.list10k.renderAfterDataMs <= goals.render10kMs)) {
    problems.push(`10k list first screen ${suite.figures.list10k.renderAfterDataMs} ms > ${goals.render10kMs} ms`);
  }
  if (longTasks.some((d) => d > goals.longTaskMs)) problems.push(`a long task of ${Math.round(Math.max(...longTasks))} ms while scrolling`);
  check(problems.length === 0, problems.join('; '));
}
