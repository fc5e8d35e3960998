// Editing and removing a registered cluster: the form filled from a fresh GET, the PUT with the resourceVersion
// it was read at, the server's causes on their fields, a conflict, the name typed to remove, the server's
// refusal, and the controls shown only when the server allows them.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AccessCache } from '../../access/cache';
import type { AccessRequest } from '../../access/rules';
import type { Cluster } from '../../api/types';
import { fakeApi, renderWith, type FakeRoute } from '../../test/render';
import ClusterOverview from '../cluster/ClusterOverview';
import { clusterUpdate, EditClusterDialog, editFormOf, validateClusterEdit } from './clusterActions';
import Clusters from './Clusters';

const session = { user: 'admin', expiresAtMs: Date.now() + 3600_000 };
const all = AccessCache.fixed(() => true);
const kubeconfig = 'apiVersion: v1\nclusters:\n- name: c\n  cluster: {server: "https://10.0.0.2:6443"}\n';

const prod = (over: { rv?: string; displayName?: string; source?: string } = {}): Cluster => ({
  apiVersion: 'cluster.atrium.io/v1',
  kind: 'Cluster',
  metadata: {
    name: 'prod',
    uid: 'u-1',
    resourceVersion: over.rv ?? '42',
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels: { env: 'prod', team: 'payments' },
    annotations: { 'atrium.io/note': 'keep me' },
  },
  spec: { displayName: over.displayName ?? 'Production', description: 'EU payments', context: 'admin@prod' },
  status: { phase: 'Ready', kubernetesVersion: 'v1.30.1', source: over.source ?? 'api' },
});

const status = (code: number, reason: string, message: string, causes: { field?: string; message: string }[] = []) => ({
  status: code,
  body: { kind: 'Status', status: 'Failure', message, reason, code, details: { name: 'prod', kind: 'clusters', causes } },
});

function show(ui: React.ReactNode, route: FakeRoute, { access = all, path, routePattern }: { access?: AccessCache; path?: string; routePattern?: string } = {}) {
  const fake = fakeApi(route);
  renderWith(ui, { api: fake.api, session, access, path, route: routePattern });
  return {
    get writes() {
      return fake.calls.filter((c) => c.method !== 'GET');
    },
    reads: (prefix: string) => fake.calls.filter((c) => c.method === 'GET' && c.url.startsWith(prefix)).length,
  };
}

const field = (label: string) => screen.getByLabelText(label) as HTMLInputElement;

describe('the cluster form', () => {
  it('starts from the cluster, needs no kubeconfig, checks a given one, the context and the labels', () => {
    const f = editFormOf(prod());
    expect(f).toEqual({
      displayName: 'Production',
      description: 'EU payments',
      context: 'admin@prod',
      kubeconfig: '',
      labels: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'payments' }],
    });
    expect(validateClusterEdit(f)).toEqual({});
    expect(validateClusterEdit({ ...f, kubeconfig: 'hello', context: 'a b', labels: [{ key: 'bad key', value: 'x' }, { key: 'ok', value: '-no-' }] })).toEqual({
      'spec.kubeconfig': 'clusters.notKubeconfig',
      'spec.context': 'clusters.badContext',
      'labels.0.key': 'validation.labelKey',
      'labels.1.value': 'validation.labelValue',
    });
  });

  it('sends the whole object at the version it was read, keeping annotations and the stored kubeconfig', () => {
    const c = prod();
    const body = clusterUpdate(c, { ...editFormOf(c), displayName: ' Prod EU ', labels: [{ key: 'env', value: 'prod' }] });
    expect(body).toEqual({
      apiVersion: 'cluster.atrium.io/v1',
      kind: 'Cluster',
      metadata: { name: 'prod', resourceVersion: '42', labels: { env: 'prod' }, annotations: { 'atrium.io/note': 'keep me' } },
      spec: { displayName: 'Prod EU', description: 'EU payments', context: 'admin@prod' },
    });
    expect(clusterUpdate(c, { ...editFormOf(c), kubeconfig }).spec).toMatchObject({ kubeconfig });
  });
});

// The edit dialog of prod, answered by a server that accepts the PUT; resolves once the form is filled.
async function openEdit() {
  const onSaved = vi.fn();
  const calls = show(<EditClusterDialog name="prod" onClose={() => {}} onSaved={onSaved} />, (m, url) => {
    if (m === 'GET' && url === '/api/v1/clusters/prod') return { status: 200, body: prod() };
    if (m === 'PUT') return { status: 200, body: prod({ rv: '43' }) };
    return undefined;
  });
  await waitFor(() => expect(field('Display name').value).toBe('Production'));
  return { calls, onSaved };
}

describe('editing a cluster', () => {
  it('fills the form from GET and PUTs the change with its resourceVersion', async () => {
    const { calls, onSaved } = await openEdit();
    expect(screen.getByRole('dialog', { name: 'Edit cluster prod' })).toBeTruthy();
    expect(field('Name').disabled).toBe(true);
    expect(field('Description').value).toBe('EU payments');
    expect(field('Context').value).toBe('admin@prod');
    expect(field('Key 2').value).toBe('team');
    expect(field('New kubeconfig').value).toBe('');
    expect(document.activeElement).toBe(field('Display name'));
    await userEvent.clear(field('Display name'));
    await userEvent.type(field('Display name'), 'Production EU');
    await userEvent.click(screen.getByRole('button', { name: 'Remove row 1' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls.writes).toEqual([{
      method: 'PUT',
      url: '/api/v1/clusters/prod',
      body: {
        apiVersion: 'cluster.atrium.io/v1',
        kind: 'Cluster',
        metadata: { name: 'prod', resourceVersion: '42', labels: { team: 'payments' }, annotations: { 'atrium.io/note': 'keep me' } },
        spec: { displayName: 'Production EU', description: 'EU payments', context: 'admin@prod' },
      },
    }]);
    expect(await screen.findByText('Cluster prod saved')).toBeTruthy();
  });

  it('offers to save without the cluster answering only when the change reconnects, and then sends ?verify=false', async () => {
    const { calls, onSaved } = await openEdit();
    const skip = 'Save even if the cluster does not answer now';
    expect(screen.queryByLabelText(skip)).toBeNull();
    await userEvent.clear(field('Context'));
    await userEvent.type(field('Context'), 'admin@prod-dr');
    await userEvent.click(screen.getByLabelText(skip));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls.writes.map((w) => w.url)).toEqual(['/api/v1/clusters/prod?verify=false']);
  });

  it('sends nothing while its own checks fail', async () => {
    const calls = show(<EditClusterDialog name="prod" onClose={() => {}} onSaved={() => {}} />, (m) =>
      m === 'GET' ? { status: 200, body: prod() } : { status: 200, body: {} });
    await waitFor(() => expect(field('Key 1').value).toBe('env'));
    await userEvent.clear(field('Key 1'));
    await userEvent.type(field('Key 1'), 'not a key');
    await userEvent.type(field('New kubeconfig'), 'just text');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(calls.writes).toEqual([]);
    expect(field('Key 1').getAttribute('aria-invalid')).toBe('true');
    expect(field('New kubeconfig').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('This does not look like a kubeconfig (no clusters section)')).toBeTruthy();
  });

  it("shows a 422's causes next to their fields and the others in the banner", async () => {
    show(<EditClusterDialog name="prod" onClose={() => {}} onSaved={() => {}} />, (m) => {
      if (m === 'GET') return { status: 200, body: prod() };
      return status(422, 'Invalid', 'Cluster document is invalid', [
        { field: 'spec.kubeconfig', message: 'the server https://10.0.0.2:6443 did not answer' },
        { field: 'metadata.labels["team"]', message: 'label value is reserved' },
        { field: 'spec.region', message: 'unknown field' },
      ]);
    });
    await waitFor(() => expect(field('Display name').value).toBe('Production'));
    await userEvent.click(field('New kubeconfig'));
    await userEvent.paste(kubeconfig);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('the server https://10.0.0.2:6443 did not answer');
    expect(field('New kubeconfig').getAttribute('aria-invalid')).toBe('true');
    expect(field('Key 2').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('label value is reserved')).toBeTruthy();
    expect(field('Key 1').getAttribute('aria-invalid')).toBeNull();
    // Only the cause no field shows is listed in the banner.
    const banner = screen.getAllByRole('alert').find((a) => a.classList.contains('banner'))!;
    expect(banner.textContent).toContain('Cluster document is invalid');
    expect(within(banner).getByText('spec.region')).toBeTruthy();
    expect(within(banner).queryByText(/did not answer/)).toBeNull();
  });

  it('on a conflict, says so and fills the form again from the latest version', async () => {
    let version = 0;
    const calls = show(<EditClusterDialog name="prod" onClose={() => {}} onSaved={() => {}} />, (m, _url, body) => {
      if (m === 'GET') {
        version++;
        return { status: 200, body: version === 1 ? prod() : prod({ rv: '44', displayName: 'Renamed by Ann' }) };
      }
      const rv = (body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      return rv === '44'
        ? { status: 200, body: prod({ rv: '45' }) }
        : status(409, 'Conflict', 'Operation cannot be fulfilled on clusters "prod": the object has been modified');
    });
    await waitFor(() => expect(field('Display name').value).toBe('Production'));
    await userEvent.type(field('Description'), ' (old)');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    const banner = await screen.findByText('This cluster was changed after you opened it');
    const alert = banner.closest('[role="alert"]') as HTMLElement;
    expect(alert.textContent).toContain('Your changes were not saved');
    expect(alert.textContent).toContain('the object has been modified');
    await userEvent.click(within(alert).getByRole('button', { name: 'Load the latest version' }));
    await waitFor(() => expect(field('Display name').value).toBe('Renamed by Ann'));
    expect(field('Description').value).toBe('EU payments');
    expect(screen.queryByText('This cluster was changed after you opened it')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.writes).toHaveLength(2));
    expect(calls.writes[1].body).toMatchObject({ metadata: { resourceVersion: '44' }, spec: { displayName: 'Renamed by Ann' } });
  });
});

const list: FakeRoute = (m, url) =>
  m === 'GET' && url.startsWith('/api/v1/clusters?')
    ? { status: 200, body: { items: [prod(), { ...prod({ source: 'configuration' }), metadata: { name: 'local' } }], total: 2 } }
    : undefined;

describe('removing a cluster', () => {
  it("asks for the cluster's name before it DELETEs, then reads the list again", async () => {
    const calls = show(<Clusters />, (m, url) => list(m, url, undefined) ?? (m === 'DELETE' ? { status: 200, body: { kind: 'Status', status: 'Success' } } : undefined));
    await userEvent.click(await screen.findByRole('button', { name: 'Remove cluster prod' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove cluster prod' });
    expect(within(dialog).getByText(/nothing in the cluster itself is deleted/)).toBeTruthy();
    const confirm = within(dialog).getByRole('button', { name: 'Remove' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText('Type prod to confirm'), 'pro');
    expect(confirm.disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText('Type prod to confirm'), 'd');
    expect(confirm.disabled).toBe(false);
    const listed = calls.reads('/api/v1/clusters?');
    await userEvent.click(confirm);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.writes).toEqual([{ method: 'DELETE', url: '/api/v1/clusters/prod', body: undefined }]);
    expect(await screen.findByText('Cluster prod removed')).toBeTruthy();
    await waitFor(() => expect(calls.reads('/api/v1/clusters?')).toBe(listed + 1));
  });

  it.each([
    [409, 'Conflict', 'cluster "prod" still holds 2 project(s) (shop/web, shop/api); delete them before removing it'],
    [412, 'PreconditionFailed', 'cluster "prod" comes from the server configuration (kubeconfig setting); remove it there'],
  ])("shows the server's refusal (%i) and stays open", async (code, reason, why) => {
    const calls = show(<Clusters />, (m, url) => list(m, url, undefined) ?? (m === 'DELETE' ? status(code, reason, why) : undefined));
    await userEvent.click(await screen.findByRole('button', { name: 'Remove cluster prod' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Type prod to confirm'), 'prod');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(why);
    expect(calls.writes).toHaveLength(1);
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(screen.queryByText('Cluster prod removed')).toBeNull();
    // Not a refusal of the user: the control stays.
    expect(screen.getByRole('button', { name: 'Remove cluster prod' })).toBeTruthy();
  });

  it('lists every project that keeps the cluster (the 409 carries one cause each)', async () => {
    const projects = ['shop/web', 'shop/api', 'shop/db', 'shop/cache', 'shop/queue', 'billing/ledger'];
    const refusal = status(409, 'Conflict', 'cluster "prod" still holds 6 project(s) (shop/web, shop/api, shop/db, shop/cache, shop/queue, ...); delete them before removing it',
      projects.map((p) => ({ field: 'projects', message: p })));
    show(<Clusters />, (m, url) => list(m, url, undefined) ?? (m === 'DELETE' ? refusal : undefined));
    await userEvent.click(await screen.findByRole('button', { name: 'Remove cluster prod' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Type prod to confirm'), 'prod');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('billing/ledger');
  });

  it('from the cluster page, goes back to the list once removed', async () => {
    show(<ClusterOverview />, (m, url) => {
      if (m === 'GET' && url === '/api/v1/clusters/prod') return { status: 200, body: prod() };
      if (m === 'DELETE' && url === '/api/v1/clusters/prod') return { status: 200, body: { kind: 'Status', status: 'Success' } };
      return undefined;
    }, { access: AccessCache.fixed((r) => r.group === 'cluster.atrium.io' && r.resource === 'clusters'), path: '/cluster/prod', routePattern: '/cluster/:c' });
    expect(await screen.findByText('EU payments')).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Labels' }).textContent).toContain('team=payments');
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await userEvent.type(screen.getByLabelText('Type prod to confirm'), 'prod');
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove' }));
    expect(await screen.findByText('elsewhere')).toBeTruthy();
  });
});

describe('who may edit or remove', () => {
  it('asks about each cluster in its own scope and shows only what is allowed', async () => {
    const asked: AccessRequest[] = [];
    const access = AccessCache.fixed((r) => {
      asked.push(r);
      return r.verb === 'update';
    });
    show(<Clusters />, list, { access });
    expect(await screen.findByRole('button', { name: 'Edit cluster prod' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Remove cluster prod' })).toBeNull();
    expect(asked).toContainEqual({ verb: 'update', group: 'cluster.atrium.io', resource: 'clusters', scope: { level: 'cluster', cluster: 'prod' } });
    expect(asked).toContainEqual({ verb: 'delete', group: 'cluster.atrium.io', resource: 'clusters', scope: { level: 'cluster', cluster: 'prod' } });
    // A cluster from the server's configuration cannot be changed over the API: no controls at all.
    expect(screen.getByText('local')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Edit cluster local' })).toBeNull();
  });

  it('hides Edit once the server refused a save (403)', async () => {
    const access = new AccessCache(async (checks) => checks.map(() => ({ allowed: true })));
    show(<Clusters />, (m, url) => {
      if (m === 'GET' && url === '/api/v1/clusters/prod') return { status: 200, body: prod() };
      if (m === 'PUT') return status(403, 'Forbidden', 'user "admin" may not update clusters');
      return list(m, url, undefined);
    }, { access });
    await userEvent.click(await screen.findByRole('button', { name: 'Edit cluster prod' }));
    await waitFor(() => expect(field('Display name').value).toBe('Production'));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('You do not have permission for this')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Edit cluster prod' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove cluster prod' })).toBeTruthy();
  });

  it('shows no controls to a user the server allows neither', async () => {
    show(<Clusters />, list, { access: AccessCache.fixed(() => false) });
    await screen.findByRole('link', { name: 'prod' });
    expect(screen.queryByRole('button', { name: /cluster prod/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add cluster' })).toBeNull();
  });
});
