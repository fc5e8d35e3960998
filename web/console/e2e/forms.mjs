// The platform's and a project's forms, driven by the admin after the journeys: groups, custom roles, cluster
// members, preflight checks, adding a cluster (refused: nobody answers its kubeconfig), editing and removing a
// cluster (registered by the API with ?verify=false: nobody answers it either), workspace and project quotas, a
// ConfigMap, a Secret and a Service from forms, disabling and enabling a user, setting a password.
// Node labels and taints are opened and cancelled, never saved, and nothing drains or cordons: the node is
// shared with every other test. Each dialog is checked by axe and photographed.
import { check, eventually, mainPage, settle } from './lib.mjs';

const projectUrl = (suite, page) => `/workspaces/${suite.names.workspace}/projects/${suite.names.project}/${page}`;

// A kubeconfig whose API server nobody answers (port 1 of the loopback refuses at once).
const unanswered = [
  'apiVersion: v1', 'kind: Config', 'clusters:', '- name: none', '  cluster:', '    server: https://127.0.0.1:1',
  'users:', '- name: none', '  user:', '    token: not-a-token', 'contexts:', '- name: none', '  context:',
  '    cluster: none', '    user: none', 'current-context: none',
].join('\n');

// The error a labelled control of `scope` is marked with (aria-invalid, tied to it by aria-describedby).
async function fieldError(scope, label) {
  const control = scope.getByLabel(label, { exact: true });
  if ((await control.getAttribute('aria-invalid')) !== 'true') return null;
  const id = await control.getAttribute('aria-describedby');
  return id ? scope.page().locator(`[id="${id}"]`).textContent() : null;
}

export async function forms(suite) {
  const { names } = suite;
  const page = await suite.contexts.admin.newPage();
  const group = `${names.workspace}-grp`;
  const role = `${names.workspace}-role`;

  // Groups: create with the developer, add the viewer, delete.
  await page.goto('/platform/groups');
  await page.getByRole('button', { name: 'Create group' }).click();
  let dialog = page.getByRole('dialog', { name: 'Create group' });
  await dialog.getByLabel('Name', { exact: true }).fill(group);
  await dialog.getByLabel('Members').fill(names.developer);
  await mainPage(suite, page, 'group-create');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  suite.created.group = group;
  await page.getByRole('button', { name: `Edit group ${group}` }).click();
  dialog = page.getByRole('dialog', { name: `Edit group ${group}` });
  await dialog.getByLabel('Members').fill(`${names.developer}\n${names.viewer}`);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  const stored = await suite.api.ok('GET', `/api/v1/groups/${group}`);
  check(stored.spec.members.join(',') === `${names.developer},${names.viewer}`, `group members are ${stored.spec.members}`);
  await page.getByRole('button', { name: `Delete ${group}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('cell', { name: group, exact: true }).waitFor({ state: 'detached' });

  // A custom workspace role from permission templates (when the server lists them).
  const templates = await suite.api.call('GET', '/api/v1/templates');
  await page.goto(`/workspaces/${names.workspace}/roles`);
  await page.getByRole('button', { name: 'Create role' }).click();
  dialog = page.getByRole('dialog', { name: 'Create role' });
  if (templates.status === 200) {
    await dialog.getByLabel('Name', { exact: true }).fill(role);
    await dialog.getByRole('checkbox').first().check();
    await mainPage(suite, page, 'role-create');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    suite.created.role = role;
    await page.getByRole('button', { name: `Rules of ${role}` }).click();
    await mainPage(suite, page, 'role-rules', page.getByRole('dialog', { name: `Rules of ${role}` }).getByRole('table').first());
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();
    await page.getByRole('button', { name: `Delete ${role}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('cell', { name: role, exact: true }).waitFor({ state: 'detached' });
  } else {
    console.log(`    GET /api/v1/templates answered ${templates.status}: the role form is photographed, not sent`);
    await mainPage(suite, page, 'role-create');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  }

  // The cluster: preflight checks, a cluster member added and removed, node labels and taints opened only.
  await page.goto('/cluster/local');
  await page.getByRole('heading', { name: 'Preflight checks' }).waitFor();
  // local comes from the server's configuration: a note instead of Edit and Remove.
  await page.getByText("This cluster comes from the server's configuration").waitFor();
  for (const name of ['Edit', 'Remove']) {
    check(await page.getByRole('button', { name, exact: true }).count() === 0, `the configured cluster local offers ${name}`);
  }
  await page.getByLabel('Action to check').selectOption('exec-terminal');
  await page.getByRole('button', { name: 'Run checks' }).click();
  await page.getByRole('status').filter({ hasText: /Allowed|Refused/ }).first().waitFor();
  await page.getByRole('button', { name: 'Add member' }).click();
  dialog = page.getByRole('dialog', { name: 'Add member' });
  await dialog.getByLabel('User name').fill(names.developer);
  await eventually('the cluster roles', async () => (await dialog.getByLabel('Role').locator('option').count()) > 0);
  await dialog.getByLabel('Role').selectOption('cluster-viewer');
  await dialog.getByRole('button', { name: 'Add member' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('cell', { name: names.developer, exact: true }).waitFor();
  const members = await suite.api.ok('GET', '/api/v1/clusters/local/members');
  check(members.items.some((m) => m.user === names.developer && m.role === 'cluster-viewer'), 'the cluster member was not stored');
  await mainPage(suite, page, 'cluster-overview-forms');
  await page.getByRole('button', { name: `Remove ${names.developer}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('cell', { name: names.developer, exact: true }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: /^Labels of / }).first().click();
  await mainPage(suite, page, 'node-labels', page.getByRole('dialog', { name: /^Labels of / }));
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: /^Taints of / }).first().click();
  await page.getByRole('dialog', { name: /^Taints of / }).waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Add taint' }).click();
  await mainPage(suite, page, 'node-taints');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

  // Adding a cluster whose API server does not answer: the server's message on the kubeconfig field.
  await page.goto('/platform/clusters');
  await page.getByRole('button', { name: 'Add cluster' }).click();
  dialog = page.getByRole('dialog', { name: 'Add cluster' });
  const refusedCluster = `${names.workspace}-none`;
  suite.created.clusters.push(refusedCluster);
  await dialog.getByLabel('Name', { exact: true }).fill(refusedCluster);
  await dialog.getByLabel('Kubeconfig', { exact: true }).fill(unanswered);
  await dialog.getByRole('button', { name: 'Add cluster' }).click();
  await eventually('the refusal', async () => (await dialog.getByRole('alert').count()) > 0, { timeoutMs: 60_000 });
  await mainPage(suite, page, 'cluster-add-refused');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // A cluster nobody answers, registered by the API without the check (?verify=false), edited and removed in
  // the browser. Only what does not reconnect is changed (display name, description, labels): a new context or
  // kubeconfig would need the cluster to answer.
  const spare = `${names.workspace}-spare`;
  suite.created.clusters.push(spare);
  await suite.api.ok('POST', '/api/v1/clusters?verify=false', {
    apiVersion: 'cluster.atrium.io/v1',
    kind: 'Cluster',
    metadata: { name: spare, labels: { 'e2e.atrium.io/suite': 'forms' } },
    spec: { displayName: 'Spare', kubeconfig: unanswered },
  });
  await page.goto('/platform/clusters');
  await page.getByRole('button', { name: `Edit cluster ${spare}` }).click();
  // The access answers came with the spare cluster's buttons: local (from the configuration) has none.
  for (const action of ['Edit', 'Remove']) {
    check(await page.getByRole('button', { name: `${action} cluster local` }).count() === 0, `the list offers ${action} for local`);
  }
  dialog = page.getByRole('dialog', { name: `Edit cluster ${spare}` });
  await dialog.getByLabel('Display name').fill('Spare, edited');
  await dialog.getByLabel('Description').fill('Registered by the e2e suite; nobody answers it.');
  await dialog.getByRole('button', { name: 'Add label' }).click();
  await dialog.getByLabel('Key 2', { exact: true }).fill('Not a key!');
  await dialog.getByLabel('Value 2', { exact: true }).fill('spare');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await eventually('the label key marked', async () => (await fieldError(dialog, 'Key 2'))?.startsWith('Must be a name'));
  await mainPage(suite, page, 'cluster-edit-invalid');
  await dialog.getByLabel('Key 2', { exact: true }).fill('tier');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  const edited = await suite.api.ok('GET', `/api/v1/clusters/${spare}`);
  check(edited.spec.displayName === 'Spare, edited' && edited.metadata.labels?.tier === 'spare' &&
    edited.metadata.labels?.['e2e.atrium.io/suite'] === 'forms', `the edited cluster is ${JSON.stringify(edited.metadata.labels)} ${edited.spec.displayName}`);
  await page.getByRole('link', { name: spare, exact: true }).click();
  await page.getByRole('heading', { name: 'Spare, edited', level: 1 }).waitFor();
  await page.getByText('Registered by the e2e suite; nobody answers it.').waitFor();
  await page.getByRole('list', { name: 'Labels' }).getByText('tier=spare', { exact: true }).waitFor();
  await mainPage(suite, page, 'cluster-edited');
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  dialog = page.getByRole('dialog', { name: `Remove cluster ${spare}` });
  await dialog.getByLabel(`Type ${spare} to confirm`).fill(spare);
  await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/platform/clusters');
  await page.getByRole('link', { name: 'local', exact: true }).waitFor();
  check(await page.getByRole('link', { name: spare, exact: true }).count() === 0, `${spare} is still listed`);
  const gone = await suite.api.call('GET', `/api/v1/clusters/${spare}`);
  check(gone.status === 404, `GET the removed cluster answered ${gone.status}`);

  // Quotas: the project's, then the workspace's on local (a workspace limit needs every project to set it).
  await page.goto(`/workspaces/${names.workspace}/projects`);
  await page.getByRole('button', { name: `Edit quota of project ${names.project}` }).click();
  dialog = page.getByRole('dialog', { name: `Edit quota of project ${names.project}` });
  await dialog.getByLabel('Limit 1', { exact: true }).fill('4');
  await dialog.getByLabel('Limit 2', { exact: true }).fill('8Gi');
  await dialog.getByLabel('Limit 3', { exact: true }).fill('20');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  const project = await suite.api.ok('GET', `/api/v1/workspaces/${names.workspace}/projects/${names.project}`);
  check(project.spec.quota?.hard?.pods === '20', `the project quota is ${JSON.stringify(project.spec.quota)}`);

  await page.goto(`/workspaces/${names.workspace}/quotas`);
  await page.getByRole('button', { name: 'Edit quota on local' }).click();
  dialog = page.getByRole('dialog', { name: 'Edit quota on local' });
  await dialog.getByLabel('Limit 1', { exact: true }).fill('8');
  await dialog.getByLabel('Limit 2', { exact: true }).fill('16Gi');
  await dialog.getByLabel('Limit 3', { exact: true }).fill('50');
  await mainPage(suite, page, 'workspace-quota-edit');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('cell', { name: '16Gi', exact: true }).waitFor();

  // A ConfigMap, a Secret and a Service from their forms.
  await page.goto(projectUrl(suite, 'config'));
  await page.getByRole('button', { name: 'Create ConfigMap' }).click();
  dialog = page.getByRole('dialog', { name: 'Create ConfigMap' });
  await dialog.getByLabel('Name', { exact: true }).fill('e2e-settings');
  await dialog.getByLabel('Key 1').fill('app.properties');
  await dialog.getByLabel('Value 1').fill('mode=e2e\nlevel=debug');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('cell', { name: 'e2e-settings', exact: true }).waitFor();
  await page.goto(`${projectUrl(suite, 'config')}?kind=secrets`);
  await page.getByRole('button', { name: 'Create secret' }).click();
  dialog = page.getByRole('dialog', { name: 'Create secret' });
  await dialog.getByLabel('Name', { exact: true }).fill('e2e-credentials');
  await dialog.getByLabel('Key 1').fill('password');
  await dialog.getByLabel('Value 1').fill('not-shown-again');
  await mainPage(suite, page, 'secret-create');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('cell', { name: 'e2e-credentials', exact: true }).waitFor();
  await page.goto(projectUrl(suite, 'services'));
  await page.getByRole('button', { name: 'Create service' }).click();
  dialog = page.getByRole('dialog', { name: 'Create service' });
  await dialog.getByLabel('Name', { exact: true }).fill('e2e-web');
  await dialog.getByLabel('Selector value 1').fill('web');
  await mainPage(suite, page, 'service-create');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('cell', { name: 'e2e-web', exact: true }).waitFor();

  // Users: the viewer disabled (refused at login) and enabled again; the developer's password set.
  await page.goto('/platform/users');
  await page.getByRole('button', { name: `Disable user ${names.viewer}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Disable', exact: true }).click();
  await page.getByRole('button', { name: `Enable user ${names.viewer}` }).waitFor();
  const refused = await fetch(`${suite.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: names.viewer, password: suite.userPassword }),
  });
  check(refused.status === 401, `a disabled user signed in (HTTP ${refused.status})`);
  await page.getByRole('button', { name: `Enable user ${names.viewer}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Enable', exact: true }).click();
  await page.getByRole('button', { name: `Disable user ${names.viewer}` }).waitFor();
  await page.getByRole('button', { name: `Set password for ${names.developer}` }).click();
  dialog = page.getByRole('dialog', { name: `Set password for ${names.developer}` });
  await dialog.getByLabel('New password', { exact: true }).fill(`${suite.userPassword}-2`);
  await dialog.getByLabel('Repeat the new password').fill(`${suite.userPassword}-2`);
  await mainPage(suite, page, 'user-password');
  await dialog.getByRole('button', { name: 'Set password' }).click();
  await dialog.waitFor({ state: 'detached' });
  const login = await fetch(`${suite.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: names.developer, password: `${suite.userPassword}-2` }),
  });
  check(login.status === 200, `the new password did not work (HTTP ${login.status})`);
  await settle(page);
  await page.close();
}
