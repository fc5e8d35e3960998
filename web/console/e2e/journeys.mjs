// Journeys 2 and 3 of the product story (docs: /work/shared/scenario.md) through the browser, a viewer who may
// only look, and every main page checked by axe-core and photographed.
import { Api, check, eventually, mainPage, newUserContext, settle, signIn, sleep } from './lib.mjs';

const BUSYBOX_COMMAND = ['sh', '-c', 'echo started; exec httpd -f -p 8080'];

function projectUrl(suite, page = 'workloads') {
  return `/workspaces/${suite.names.workspace}/projects/${suite.names.project}/${page}`;
}

// Journey 2: the platform admin creates a workspace on cluster `local`, a project in it, and the users, and
// makes the developer an operator and the viewer a viewer of the project.
export async function tenancy(suite) {
  const { names } = suite;
  const context = await newUserContext(suite);
  suite.contexts.admin = context;
  const page = await context.newPage();
  await signIn(page, 'admin', suite.adminPassword);
  await mainPage(suite, page, 'overview', page.getByRole('heading', { name: 'Welcome, admin' }));

  // Users (the developer and the viewer), created from the Users page.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users' }).waitFor();
  for (const user of [names.developer, names.viewer]) {
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create user' });
    await dialog.getByLabel('Name', { exact: true }).fill(user);
    await dialog.getByLabel('Password').fill(suite.userPassword);
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: user, exact: true }).waitFor();
  }
  await mainPage(suite, page, 'platform-users');

  // The workspace, bound to cluster local.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workspaces' }).click();
  await page.getByRole('button', { name: 'Create workspace' }).click();
  let dialog = page.getByRole('dialog', { name: 'Create workspace' });
  await dialog.getByLabel('Name', { exact: true }).fill(names.workspace);
  await dialog.getByLabel('Display name').fill('Merchant platform (e2e)');
  await dialog.getByRole('checkbox', { name: 'local' }).check();
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('link', { name: names.workspace, exact: true }).click();

  // The project (a namespace on local).
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
  await page.getByRole('button', { name: 'Create project' }).click();
  dialog = page.getByRole('dialog', { name: 'Create project' });
  await dialog.getByLabel('Name', { exact: true }).fill(names.project);
  await eventually('the cluster choice', async () => (await dialog.getByLabel('Cluster').inputValue()) === 'local');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 60_000 });
  await page.getByRole('link', { name: names.project, exact: true }).waitFor();
  await mainPage(suite, page, 'workspace-projects');
  suite.created.project = true;

  // Members of the project: the developer as operator, the viewer as viewer.
  await page.getByRole('link', { name: names.project, exact: true }).click();
  await page.getByRole('heading', { name: 'Workloads' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('region', { name: /^Project/ }).getByRole('link', { name: 'Members' }).click();
  await page.getByRole('heading', { name: 'Members' }).waitFor();
  for (const [user, role] of [[names.developer, 'operator'], [names.viewer, 'viewer']]) {
    await page.getByRole('button', { name: 'Add member' }).click();
    dialog = page.getByRole('dialog', { name: 'Add member' });
    await dialog.getByLabel('User name').fill(user);
    await eventually('the roles to load', async () => (await dialog.getByLabel('Role').locator('option').count()) > 0);
    await dialog.getByLabel('Role').selectOption(role);
    await dialog.getByRole('button', { name: 'Add member' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: user, exact: true }).waitFor();
  }
  await mainPage(suite, page, 'project-members');

  // What the server now holds.
  const members = await suite.api.ok('GET', `/api/v1/workspaces/${names.workspace}/projects/${names.project}/members`);
  const roles = Object.fromEntries(members.items.map((m) => [m.user, m.role]));
  check(roles[names.developer] === 'operator' && roles[names.viewer] === 'viewer', `members are ${JSON.stringify(roles)}`);
  const ns = await eventually('the namespace', async () => {
    const r = await suite.api.call('GET', `/api/v1/clusters/local/namespaces/${names.project}/pods`);
    return r.status === 200;
  });
  check(ns, 'the project namespace is served');
}

// Every platform, workspace and project page an admin sees: axe-core and a screenshot each.
export async function adminPages(suite) {
  const { names } = suite;
  const page = await suite.contexts.admin.newPage();
  const pages = [
    ['platform-clusters', '/platform/clusters', 'Clusters'],
    ['platform-workspaces', '/platform/workspaces', 'Workspaces'],
    ['platform-groups', '/platform/groups', 'Groups'],
    ['platform-roles', '/platform/roles', 'Roles'],
    ['platform-audit', '/platform/audit', 'Audit log'],
    ['tokens', '/tokens', 'API tokens'],
    ['cluster-overview', '/cluster/local', 'local'],
    ['workspace-members', `/workspaces/${names.workspace}/members`, 'Members'],
    ['workspace-roles', `/workspaces/${names.workspace}/roles`, `Roles of ${names.workspace}`],
    ['workspace-quotas', `/workspaces/${names.workspace}/quotas`, 'Quotas'],
    ['project-roles', projectUrl(suite, 'roles'), `Roles of ${names.project}`],
    ['project-services', projectUrl(suite, 'services'), 'Services'],
    ['project-config', projectUrl(suite, 'config'), 'Configuration and secrets'],
    ['project-storage', projectUrl(suite, 'storage'), 'Storage'],
    ['project-events', projectUrl(suite, 'events'), 'Events'],
  ];
  for (const [name, url, heading] of pages) {
    await page.goto(url);
    await mainPage(suite, page, name, page.getByRole('heading', { name: heading, exact: true }).first());
  }
  // The login page, signed out, in a context of its own.
  const anonymous = await newUserContext(suite);
  const login = await anonymous.newPage();
  await login.goto('/login');
  await mainPage(suite, login, 'login', login.getByRole('heading', { name: 'Sign in to Atrium' }));
  // Dark theme: the overview and a list, for contrast.
  const dark = await newUserContext(suite, { colorScheme: 'dark' });
  const darkPage = await dark.newPage();
  await signIn(darkPage, 'admin', suite.adminPassword);
  await mainPage(suite, darkPage, 'overview-dark', darkPage.getByRole('heading', { name: 'Welcome, admin' }));
  await darkPage.goto('/platform/users');
  await mainPage(suite, darkPage, 'platform-users-dark', darkPage.getByRole('cell', { name: names.developer, exact: true }));
  await dark.close();
  await anonymous.close();
  await page.close();
}

// Journey 3: the developer deploys from the form, sees the pod run (live list), scales to 2, follows a pod's
// log and sees "started", and types `echo hello` in a terminal and sees `hello`.
export async function deploy(suite) {
  const { names } = suite;
  const context = await newUserContext(suite);
  suite.contexts.developer = context;
  const page = await context.newPage();
  await signIn(page, names.developer, suite.userPassword);
  await page.getByRole('link', { name: names.workspace, exact: true }).click();
  await page.getByRole('link', { name: names.project, exact: true }).click();
  await page.getByRole('heading', { name: 'Workloads' }).waitFor();
  await mainPage(suite, page, 'project-workloads-empty', page.getByText('No Deployments in this project'));

  // The form.
  await page.getByRole('link', { name: 'Create deployment' }).click();
  await page.getByRole('heading', { name: 'New deployment' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('web');
  await page.getByLabel('Container image').fill(`${suite.registry}/atrium/busybox:1`);
  await page.getByLabel('Command (one argument per line)').fill(BUSYBOX_COMMAND.join('\n'));
  await page.getByRole('button', { name: 'Add port' }).click();
  await page.getByLabel('Port 1 number').fill('8080');
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.getByLabel('Variable 1 name').fill('MODE');
  await page.getByLabel('Variable 1 value').fill('e2e');
  await page.getByLabel('Readiness check').selectOption('tcp');
  await page.getByLabel('Port (number or name)').fill('8080');
  await page.getByLabel('CPU limit').fill('200m');
  await page.getByLabel('Memory limit').fill('64Mi');
  await mainPage(suite, page, 'deployment-form');
  await page.getByRole('button', { name: 'Create deployment' }).click();

  // Back on the list, which the watch keeps live: the deployment, then its pod Running.
  await page.getByRole('link', { name: 'web', exact: true }).waitFor({ timeout: 30_000 });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pods' }).click();
  await page.getByRole('heading', { name: 'Pods' }).waitFor();
  const running = page.getByRole('row').filter({ hasText: /^web-/ }).filter({ hasText: 'Running' });
  await eventually('the pod to be Running in the live list', async () => (await running.count()) >= 1, { timeoutMs: 180_000, everyMs: 500 });
  check(await page.getByText('Live', { exact: true }).isVisible(), 'the list says it is live');
  await mainPage(suite, page, 'project-pods');

  // The deployment's page: scale to 2.
  await page.goto(projectUrl(suite, 'workloads/deployments/web'));
  await page.getByRole('heading', { name: 'web', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Scale', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Scale web' });
  await dialog.getByLabel('Replicas').fill('2');
  await dialog.getByRole('button', { name: 'Scale', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await eventually('2 of 2 replicas ready', async () => (await page.getByText('2/2', { exact: true }).count()) > 0, { timeoutMs: 180_000, everyMs: 500 });
  await mainPage(suite, page, 'workload-detail');
  await page.getByRole('tab', { name: 'Pods' }).click();
  const rows = page.getByRole('tabpanel').getByRole('row').filter({ hasText: 'Running' });
  await eventually('2 pods Running', async () => (await rows.count()) === 2, { timeoutMs: 120_000, everyMs: 500 });
  await mainPage(suite, page, 'workload-pods');
  await page.getByRole('tab', { name: 'Revisions' }).click();
  await page.getByRole('table', { name: 'Revisions' }).waitFor();
  await mainPage(suite, page, 'workload-revisions');
  await page.getByRole('tab', { name: 'Events' }).click();
  await mainPage(suite, page, 'workload-events', page.getByRole('table', { name: 'Events' }));
  const scale = await suite.api.ok('GET', `/api/v1/clusters/local/namespaces/${names.project}/deployments/web/scale`);
  check(scale.spec?.replicas === 2, `the Scale says ${scale.spec?.replicas} replicas`);

  // Logs of a pod, followed: "started".
  await page.getByRole('tab', { name: 'Pods' }).click();
  const pod = (await rows.first().getByRole('cell').first().innerText()).trim();
  suite.pod = pod;
  await rows.first().getByRole('link', { name: `Logs of ${pod}` }).click();
  await page.getByRole('heading', { name: `Logs: ${pod}` }).waitFor();
  const log = page.getByRole('log', { name: `Log of ${pod}` });
  await eventually('"started" in the followed log', async () => (await log.innerText()).includes('started'), { timeoutMs: 60_000 });
  check(await page.getByText('Following live.').isVisible(), 'the log is followed');
  await mainPage(suite, page, 'pod-logs');

  // A terminal: echo hello.
  await page.getByRole('link', { name: 'Terminal', exact: true }).click();
  await page.getByRole('heading', { name: `Terminal: ${pod}` }).waitFor();
  await page.getByText(/^Connected to /).waitFor({ timeout: 60_000 });
  const screen = page.locator('.xterm-rows');
  await eventually('a shell prompt', async () => /[#$]\s*$/m.test(await screen.innerText()), { timeoutMs: 30_000 });
  await page.locator('.terminal-host').click();
  await page.keyboard.type('echo hello');
  await page.keyboard.press('Enter');
  await eventually('"hello" printed by the shell', async () => {
    const text = await screen.innerText();
    return text.split('\n').some((l) => l.trim() === 'hello');
  }, { timeoutMs: 30_000 });
  // Resizing the frame resizes the terminal (the resize channel tells the shell).
  const before = await page.evaluate(() => document.querySelector('.xterm-rows')?.childElementCount ?? 0);
  await page.locator('.terminal-frame').evaluate((el) => { el.style.height = '240px'; });
  await eventually('the terminal to fit its smaller frame', async () =>
    (await page.evaluate(() => document.querySelector('.xterm-rows')?.childElementCount ?? 0)) < before);
  await page.keyboard.type('busybox stty size');
  await page.keyboard.press('Enter');
  const rowsNow = await page.evaluate(() => document.querySelector('.xterm-rows')?.childElementCount ?? 0);
  await eventually('stty to report the new size', async () =>
    (await screen.innerText()).split('\n').some((l) => new RegExp(`^${rowsNow} \\d+$`).test(l.trim())), { timeoutMs: 15_000 });
  await mainPage(suite, page, 'pod-terminal');

  // YAML: the apply page with the editor (a check with the server, nothing changed).
  await page.goto(projectUrl(suite, 'apply?kind=configmaps'));
  await page.getByRole('heading', { name: 'Create or update from YAML' }).waitFor();
  await page.getByRole('button', { name: 'Check with the server' }).click();
  await page.getByText('The server accepts every document.').waitFor({ timeout: 30_000 });
  await mainPage(suite, page, 'apply-yaml');
  await page.close();
}

// Journey 3, continued: a new image from YAML (a mistake first, shown on its line) makes revision 2, rolled
// back to revision 1 from the deployment's page.
function deploymentYaml(registry, image, replicas) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ${registry}/atrium/busybox:${image}
          command: ["sh", "-c", "echo started; exec httpd -f -p 8080"]
          ports:
            - containerPort: 8080
`;
}

export async function rollback(suite) {
  const { names } = suite;
  const page = await suite.contexts.developer.newPage();
  await page.goto(projectUrl(suite, 'workloads/deployments/web'));
  await page.getByRole('link', { name: 'Edit YAML' }).click();
  await page.getByRole('heading', { name: 'Edit deployments/web as YAML' }).waitFor();
  const editor = page.getByRole('textbox', { name: 'YAML manifest' });
  await eventually('the deployment in the editor', async () => (await editor.innerText()).includes('busybox:1'));
  // A mistake first: the server's refusal is shown on its line.
  await editor.fill(deploymentYaml(suite.registry, 2, -1));
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  const problems = page.locator('#apply-problems');
  await problems.waitFor({ timeout: 30_000 });
  const said = await problems.innerText();
  check(said.includes('Line 8') && said.includes('replicas'), `the refusal names line 8 (spec.replicas): ${said}`);
  check((await page.locator('.cm-lintRange-error').count()) > 0, 'the editor marks the line');
  await mainPage(suite, page, 'apply-yaml-error');
  await editor.fill(deploymentYaml(suite.registry, 2, 2));
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.getByText('Every document was applied.').waitFor({ timeout: 30_000 });

  await page.goto(projectUrl(suite, 'workloads/deployments/web?tab=revisions'));
  const table = page.getByRole('table', { name: 'Revisions' });
  await eventually('revision 2', async () => (await table.getByRole('row').count()) >= 3, { timeoutMs: 60_000 });
  await page.getByRole('button', { name: 'Roll back to revision 1' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Roll back' }).click();
  await dialog.waitFor({ state: 'detached' });
  await eventually('the template back on busybox:1', async () => {
    const d = await suite.api.ok('GET', `/api/v1/clusters/local/namespaces/${names.project}/deployments/web`);
    return d.spec.template.spec.containers[0].image.endsWith('busybox:1');
  }, { timeoutMs: 30_000 });
  await eventually('revision 3 current', async () =>
    (await table.getByRole('row').filter({ hasText: 'current' }).innerText()).trim().startsWith('3'), { timeoutMs: 30_000 });
  await page.close();
}

// A project viewer sees no control that changes anything, and the API refuses them when they try anyway.
export async function viewer(suite) {
  const { names } = suite;
  const context = await newUserContext(suite);
  suite.contexts.viewer = context;
  const page = await context.newPage();
  await signIn(page, names.viewer, suite.userPassword);
  const mutating = /^(Create|Scale|Restart|Delete|Roll back|Add member|Remove|Edit YAML|Terminal|Create from YAML|Create deployment)/;

  const reviews = page.waitForResponse((r) => r.url().endsWith('/api/v1/accessreviews'));
  await page.goto(projectUrl(suite, 'workloads'));
  await page.getByRole('link', { name: 'web', exact: true }).waitFor();
  await reviews;
  await settle(page, 500);
  const buttons = async () => [
    ...(await page.getByRole('button').allInnerTexts()),
    ...(await page.getByRole('link').allInnerTexts()),
  ].map((s) => s.trim()).filter((s) => mutating.test(s));
  check((await buttons()).length === 0, `the viewer sees ${(await buttons()).join(', ')} on the workloads page`);
  await mainPage(suite, page, 'viewer-workloads');

  await page.goto(projectUrl(suite, 'workloads/deployments/web'));
  await page.getByRole('heading', { name: 'web', exact: true }).waitFor();
  await page.getByText('Ready', { exact: true }).waitFor();
  await settle(page, 500);
  check((await buttons()).length === 0, `the viewer sees ${(await buttons()).join(', ')} on the deployment's page`);
  await page.getByRole('tab', { name: 'Revisions' }).click();
  await page.getByRole('table', { name: 'Revisions' }).waitFor();
  await settle(page, 300);
  check((await buttons()).length === 0, `the viewer sees ${(await buttons()).join(', ')} among the revisions`);

  await page.goto(projectUrl(suite, 'pods'));
  await page.getByRole('row').filter({ hasText: 'Running' }).first().waitFor();
  await settle(page, 500);
  check((await buttons()).length === 0, `the viewer sees ${(await buttons()).join(', ')} on the pods page`);
  check((await page.getByRole('link', { name: /^Logs of / }).count()) > 0, 'the viewer may read logs');
  await mainPage(suite, page, 'viewer-pods');

  await page.goto(projectUrl(suite, 'members'));
  await page.getByRole('cell', { name: names.developer, exact: true }).waitFor();
  await settle(page, 500);
  check((await buttons()).length === 0, `the viewer sees ${(await buttons()).join(', ')} on the members page`);

  // The same session calling the API directly (the cookie, the console's own origin).
  const base = `/api/v1/clusters/local/namespaces/${names.project}`;
  const answers = await page.evaluate(async (base) => {
    const call = async (method, path, body, type = 'application/json') => {
      const r = await fetch(path, { method, headers: body ? { 'Content-Type': type } : {}, body: body ? JSON.stringify(body) : undefined });
      return `${method} ${path.replace(base, '…')}: ${r.status}`;
    };
    return [
      await call('PATCH', `${base}/deployments/web/scale`, { spec: { replicas: 5 } }, 'application/merge-patch+json'),
      await call('POST', `${base}/deployments/web/restart`, {}),
      await call('POST', `${base}/deployments/web/rollback`, { revision: 1 }),
      await call('DELETE', `${base}/deployments/web`),
      await call('POST', `${base}/deployments`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'intruder' } }),
      await call('POST', `${base}/apply`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'intruder' } }),
    ];
  }, base);
  const refused = answers.filter((a) => a.endsWith(': 403'));
  check(refused.length === answers.length, `the API did not refuse the viewer everywhere: ${answers.join('; ')}`);
  const exec = await page.evaluate(
    (url) =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, ['v4.channel.k8s.io']);
        ws.onopen = () => {
          ws.close();
          resolve('opened');
        };
        ws.onclose = () => resolve('refused');
      }),
    `${suite.url.replace('http', 'ws')}${base}/pods/${suite.pod}/exec?container=web`,
  );
  check(exec === 'refused', 'the viewer could open a terminal');
  const http = await fetch(`${suite.url}${base}/pods/${suite.pod}/exec?container=web`, {
    headers: { Authorization: `Bearer ${(await Api.login(suite.url, names.viewer, suite.userPassword)).token}` },
  });
  check(http.status === 403, `exec for the viewer answered ${http.status}, not 403`);
  suite.viewerRefusals = [...answers, `exec: ${http.status}`];
  const scale = await suite.api.ok('GET', `${base}/deployments/web/scale`);
  check(scale.spec.replicas === 2, 'the viewer changed the replicas');
  delete suite.contexts.viewer;
  await context.close();
}

export async function accessibility(suite) {
  const bad = suite.axe.filter((a) => a.serious > 0);
  check(suite.axe.length >= 20, `only ${suite.axe.length} pages were checked`);
  check(bad.length === 0, `serious or critical axe violations on: ${bad.map((b) => `${b.page} (${b.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id).join(', ')})`).join('; ')}`);
}

export { sleep };
