// The platform's new forms: their checks before sending, and the server's causes shown next to their fields.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AccessCache } from '../../access/cache';
import type { PermissionTemplate } from '../../api/types';
import { failureBanner, fakeApi, fieldError, invalid, renderWith, type FakeRoute } from '../../test/render';
import { AddClusterDialog, validateCluster } from './Clusters';
import { GroupDialog, parseMembers, validateGroup } from './Groups';
import { CreateRoleDialog, templateAllowedIn, validateRole } from './Roles';
import { CreateUserDialog, PasswordDialog, validatePassword, validateUser } from './Users';
import Workspaces, { CreateWorkspaceDialog, validateWorkspace } from './Workspaces';

const session = { user: 'admin', expiresAtMs: Date.now() + 3600_000 };
const all = AccessCache.fixed(() => true);
const show = (ui: React.ReactNode, route: FakeRoute) => {
  const fake = fakeApi(route);
  renderWith(ui, { api: fake.api, session, access: all });
  return { get writes() { return fake.calls.filter((c) => c.method !== 'GET'); } };
};
const status = (message: string, causes: { field: string; message: string }[]) => ({
  status: 422,
  body: { kind: 'Status', status: 'Failure', message, reason: 'Invalid', code: 422, details: { causes } },
});

const templates: PermissionTemplate[] = [
  { name: 'users-manage', level: 'platform', description: 'Manage users', rules: [{ apiGroups: ['iam.atrium.io'], resources: ['users'], verbs: ['*'] }] },
  { name: 'workspace-read', level: 'workspace', rules: [{ apiGroups: ['tenant.atrium.io'], resources: ['projects'], verbs: ['get', 'list'] }] },
  { name: 'kube-view', level: 'Project', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] },
];

describe('groups', () => {
  it('checks the name and every member', () => {
    expect(parseMembers('ann\nbob, ann\n\n')).toEqual(['ann', 'bob']);
    expect(validateGroup({ name: 'dev', displayName: '', members: 'ann\nbob' }, true)).toEqual({});
    expect(validateGroup({ name: 'Dev!', displayName: '', members: 'Ann Smith' }, true)).toEqual({
      'metadata.name': 'validation.dnsSubdomain',
      'spec.members': 'groups.badMember',
    });
    expect(validateGroup({ name: '', displayName: '', members: '' }, false)).toEqual({});
  });

  it('creates a group, and shows the server cause on the members field', async () => {
    const calls = show(<GroupDialog group={null} onClose={() => {}} onSaved={() => {}} />, (m) =>
      m === 'POST' ? status('Group "dev" is invalid', [{ field: 'spec.members[1]', message: 'user "zed" does not exist' }]) : undefined);
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(calls.writes).toEqual([]);
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    await userEvent.type(screen.getByLabelText('Name'), 'dev');
    await userEvent.type(screen.getByLabelText('Members'), 'ann\nzed');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(calls.writes[0]).toMatchObject({ method: 'POST', url: '/api/v1/groups', body: { metadata: { name: 'dev' }, spec: { members: ['ann', 'zed'] } } });
    expect(await screen.findByText('spec.members[1]: user "zed" does not exist')).toBeTruthy();
  });

  it('edits a group: one member\'s cause on the members field, another\'s and the rest in the banner', async () => {
    const onSaved = vi.fn();
    const group = { metadata: { name: 'ops' }, spec: { displayName: 'Ops', members: ['ann'] } };
    const calls = show(<GroupDialog group={group} onClose={() => {}} onSaved={onSaved} />, (m) =>
      m === 'PATCH' ? invalid('Group "ops" is invalid', [
        { field: 'spec.members[0]', message: 'user "bob" does not exist' },
        { field: 'spec.members[1]', message: 'user "cy" does not exist' },
        { field: 'spec.displayName', message: 'at most 128 characters' },
        { field: 'spec.ldapGroup', message: 'not an LDAP group' },
      ]) : undefined);
    expect(screen.queryByLabelText('Name')).toBeNull();
    await userEvent.clear(screen.getByLabelText('Members'));
    await userEvent.type(screen.getByLabelText('Members'), 'bob, cy');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(calls.writes[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/groups/ops', body: { spec: { displayName: 'Ops', members: ['bob', 'cy'] } } });
    await waitFor(() => expect(fieldError('Members')).toBe('spec.members[0]: user "bob" does not exist'));
    expect(fieldError('Display name')).toBe('at most 128 characters');
    expect(failureBanner()).toContain('user "cy" does not exist');
    expect(failureBanner()).toContain('not an LDAP group');
    expect(failureBanner()).not.toContain('"bob"');
    expect(onSaved).not.toHaveBeenCalled();
  });
});

describe('create a workspace', () => {
  const clusters = { items: [{ metadata: { name: 'local' } }, { metadata: { name: 'edge' } }], total: 2 };

  it('needs a name', () => {
    expect(validateWorkspace('shop')).toEqual({});
    expect(validateWorkspace('Shop')).toEqual({ 'metadata.name': 'validation.dnsLabel' });
  });

  it('sends the chosen clusters, and shows the causes on the name, the clusters and the manager', async () => {
    const onCreated = vi.fn();
    const calls = show(<CreateWorkspaceDialog onClose={() => {}} onCreated={onCreated} />, (m, url) => {
      if (m === 'GET' && url.startsWith('/api/v1/clusters')) return { status: 200, body: clusters };
      if (m === 'POST') {
        return invalid('Workspace "shop" is invalid', [
          { field: 'metadata.name', message: 'workspace "shop" already exists' },
          { field: 'spec.clusters[0]', message: 'cluster "edge" is being removed' },
          { field: 'spec.manager', message: 'user "zed" does not exist' },
          { field: 'spec.quotas', message: 'set on the quotas page' },
        ]);
      }
      return undefined;
    });
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(calls.writes).toEqual([]);
    expect(fieldError('Name')).toBe('Required');
    await userEvent.type(screen.getByLabelText('Name'), 'shop');
    await userEvent.click(await screen.findByRole('checkbox', { name: 'edge' }));
    await userEvent.type(screen.getByLabelText('Manager'), 'zed');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(calls.writes[0]).toMatchObject({ method: 'POST', url: '/api/v1/workspaces', body: { metadata: { name: 'shop' }, spec: { clusters: ['edge'], manager: 'zed' } } });
    await waitFor(() => expect(fieldError('Name')).toBe('workspace "shop" already exists'));
    expect(fieldError('Manager')).toBe('user "zed" does not exist');
    const group = screen.getByRole('group', { name: 'Clusters' });
    expect(group.getAttribute('aria-describedby')).toBe(within(group).getByRole('alert').id);
    expect(within(group).getByRole('alert').textContent).toBe('spec.clusters[0]: cluster "edge" is being removed');
    expect(failureBanner()).toContain('set on the quotas page');
    expect(failureBanner()).not.toContain('already exists');
    expect(onCreated).not.toHaveBeenCalled();
  });
});

describe('custom roles', () => {
  it('offers the templates a level may hold', () => {
    expect(templateAllowedIn('Project', 'cluster')).toBe(true);
    expect(templateAllowedIn('workspace', 'cluster')).toBe(false);
    expect(templateAllowedIn('platform', 'platform')).toBe(true);
    expect(templateAllowedIn('workspace', 'project')).toBe(false);
  });

  it('needs a name and a template of its level', () => {
    expect(validateRole({ name: 'ops', level: 'platform', description: '', templates: [] }, templates)).toEqual({
      'spec.templates': 'roles.chooseTemplate',
    });
    expect(validateRole({ name: 'Ops', level: 'project', description: '', templates: ['workspace-read'] }, templates)).toEqual({
      'metadata.name': 'validation.dnsSubdomain',
      'spec.templates': 'roles.templateLevel',
    });
    expect(validateRole({ name: 'ops', level: 'workspace', description: '', templates: ['kube-view'] }, templates)).toEqual({});
  });

  it('shows the templates of its level with their rules, and sends the chosen ones', async () => {
    const onCreated = vi.fn();
    const calls = show(
      <CreateRoleDialog path="/api/v1/workspaces/w/roles" levels={['workspace']} templates={templates} onClose={() => {}}
        onCreated={onCreated} onDenied={() => {}} />,
      (m) => (m === 'POST' ? { status: 201, body: {} } : undefined),
    );
    expect(screen.queryByRole('checkbox', { name: /users-manage/ })).toBeNull();
    const rules = screen.getByRole('table', { name: 'workspace-read' });
    expect(within(rules).getByText('get, list')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(screen.getByText('Choose at least one permission template')).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Name'), 'reader');
    await userEvent.click(screen.getByRole('checkbox', { name: /kube-view/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(calls.writes[0]).toMatchObject({
      method: 'POST',
      url: '/api/v1/workspaces/w/roles',
      body: { metadata: { name: 'reader' }, spec: { level: 'workspace', templates: ['kube-view'] } },
    });
    expect(onCreated).toHaveBeenCalled();
  });

  it('edits a custom role in place: its templates change, its name and level stay', async () => {
    const onCreated = vi.fn();
    const role = {
      metadata: { name: 'reader', resourceVersion: '7' },
      spec: { level: 'workspace' as const, description: 'reads', templates: ['workspace-read'] },
    };
    const calls = show(
      <CreateRoleDialog path="/api/v1/workspaces/w/roles" levels={['workspace']} templates={templates} editing={role}
        onClose={() => {}} onCreated={onCreated} onDenied={() => {}} />,
      (m) => (m === 'PUT' ? { status: 200, body: {} } : undefined),
    );
    expect((screen.getByLabelText('Name') as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole('checkbox', { name: /workspace-read/ }) as HTMLInputElement).checked).toBe(true);
    await userEvent.click(screen.getByRole('checkbox', { name: /kube-view/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(calls.writes[0]).toMatchObject({
      method: 'PUT',
      url: '/api/v1/workspaces/w/roles/reader',
      body: {
        metadata: { name: 'reader', resourceVersion: '7' },
        spec: { level: 'workspace', description: 'reads', templates: ['workspace-read', 'kube-view'] },
      },
    });
    expect(onCreated).toHaveBeenCalled();
  });
});

describe('custom roles refused', () => {
  it('shows the causes on the name and the templates (with the template\'s path), the rest in the banner', async () => {
    const onCreated = vi.fn();
    const onDenied = vi.fn();
    show(
      <CreateRoleDialog path="/api/v1/workspaces/w/roles" levels={['workspace']} templates={templates} onClose={() => {}}
        onCreated={onCreated} onDenied={onDenied} />,
      (m) => (m === 'POST' ? invalid('Role "reader" is invalid', [
        { field: 'metadata.name', message: 'a role named reader already exists' },
        { field: 'spec.templates[0]', message: 'template kube-view is not known' },
        { field: 'spec.rules', message: 'rules come from the templates' },
      ]) : undefined),
    );
    await userEvent.type(screen.getByLabelText('Name'), 'reader');
    await userEvent.click(screen.getByRole('checkbox', { name: /kube-view/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(fieldError('Name')).toBe('a role named reader already exists'));
    expect(screen.getByText('spec.templates[0]: template kube-view is not known')).toBeTruthy();
    expect(failureBanner()).toContain('rules come from the templates');
    expect(failureBanner()).not.toContain('already exists');
    expect(onDenied).toHaveBeenCalledTimes(1);
    expect(onCreated).not.toHaveBeenCalled();
  });
});

describe('users', () => {
  it('needs a name and a password', () => {
    expect(validateUser({ name: 'Ann', password: '' })).toEqual({ 'metadata.name': 'validation.dnsSubdomain', 'spec.password': 'validation.required' });
    expect(validateUser({ name: 'ann', password: 'a-long-one-1' })).toEqual({});
  });

  it('creates a user, and shows the password policy\'s refusal on the password', async () => {
    const onCreated = vi.fn();
    const calls = show(<CreateUserDialog onClose={() => {}} onCreated={onCreated} />, (m) =>
      m === 'POST' ? invalid('User "ann" is invalid', [{ field: 'spec.password', message: 'at least 12 characters' }]) : undefined);
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(calls.writes).toEqual([]);
    expect(fieldError('Password')).toBe('Required');
    await userEvent.type(screen.getByLabelText('Name'), 'ann');
    await userEvent.type(screen.getByLabelText('Email'), 'ann@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(calls.writes[0]).toMatchObject({
      method: 'POST', url: '/api/v1/users', body: { metadata: { name: 'ann' }, spec: { email: 'ann@example.com', password: 'short' } },
    });
    await waitFor(() => expect(fieldError('Password')).toBe('at least 12 characters'));
    expect(fieldError('Name')).toBeNull();
    expect(onCreated).not.toHaveBeenCalled();
  });

  it("sets a user's password, and shows the server's refusal on it", async () => {
    const onClose = vi.fn();
    const calls = show(<PasswordDialog user={{ metadata: { name: 'dev' }, spec: {} }} onClose={onClose} />, (m) =>
      m === 'PATCH' ? invalid('User "dev" is invalid', [{ field: 'spec.password', message: 'too common' }]) : undefined);
    await userEvent.type(screen.getByLabelText('New password'), 'password1234');
    await userEvent.type(screen.getByLabelText('Repeat the new password'), 'password1234');
    await userEvent.click(screen.getByRole('button', { name: 'Set password' }));
    expect(calls.writes[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/users/dev', body: { spec: { password: 'password1234' } } });
    await waitFor(() => expect(fieldError('New password')).toBe('too common'));
    expect(onClose).not.toHaveBeenCalled();
  });
});

describe('add a cluster', () => {
  const kubeconfig = 'apiVersion: v1\nclusters:\n- name: c\n  cluster: {server: "https://10.0.0.1:6443"}\n';

  it('needs a name and something that looks like a kubeconfig', () => {
    expect(validateCluster({ name: 'prod', displayName: '', kubeconfig, context: '' })).toEqual({});
    expect(validateCluster({ name: 'Prod', displayName: '', kubeconfig: '', context: 'a b' })).toEqual({
      'metadata.name': 'validation.dnsLabel',
      'spec.kubeconfig': 'validation.required',
      'spec.context': 'clusters.badContext',
    });
    expect(validateCluster({ name: 'p', displayName: '', kubeconfig: 'hello', context: '' })['spec.kubeconfig']).toBe('clusters.notKubeconfig');
  });

  it('reads a file into the form and shows the server message on the kubeconfig field', async () => {
    const calls = show(<AddClusterDialog onClose={() => {}} onAdded={() => {}} />, (m) =>
      m === 'POST' ? status('Cluster "prod" is invalid', [{ field: 'spec.kubeconfig', message: 'the server https://10.0.0.1:6443 did not answer' }]) : undefined);
    await userEvent.type(screen.getByLabelText('Name'), 'prod');
    await userEvent.upload(screen.getByLabelText('Kubeconfig file'), new File([kubeconfig], 'config', { type: 'text/plain' }));
    await waitFor(() => expect((screen.getByLabelText('Kubeconfig') as HTMLTextAreaElement).value).toBe(kubeconfig));
    await userEvent.click(screen.getByRole('button', { name: 'Add cluster' }));
    expect(calls.writes[0]).toMatchObject({ method: 'POST', url: '/api/v1/clusters', body: { metadata: { name: 'prod' }, spec: { kubeconfig } } });
    const field = screen.getByLabelText('Kubeconfig');
    expect(await screen.findByText('the server https://10.0.0.1:6443 did not answer')).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBe('true');
    // The cluster is down for now: register it anyway, asking the server not to wait for it.
    await userEvent.click(screen.getByLabelText('Save even if the cluster does not answer now'));
    await userEvent.click(screen.getByRole('button', { name: 'Add cluster' }));
    await waitFor(() => expect(calls.writes).toHaveLength(2));
    expect(calls.writes[1].url).toBe('/api/v1/clusters?verify=false');
  });
});

describe('passwords', () => {
  it('needs the same password twice', () => {
    expect(validatePassword('', '')).toEqual({ 'spec.password': 'validation.required' });
    expect(validatePassword('a-long-one-1', 'a-long-one-2')).toEqual({ repeat: 'users.passwordMismatch' });
    expect(validatePassword('a-long-one-1', 'a-long-one-1')).toEqual({});
  });
});

describe('deleting a workspace', () => {
  it('asks for its name, and deletes its projects only when asked', async () => {
    const calls = show(<Workspaces />, (m, url) => {
      if (m === 'GET' && url.startsWith('/api/v1/workspaces')) {
        return { status: 200, body: { items: [{ metadata: { name: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: {} }], total: 1 } };
      }
      if (m === 'DELETE') return { status: 200, body: { kind: 'Status', status: 'Success' } };
      return undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Delete shop' }));
    const confirm = screen.getAllByRole('button', { name: 'Delete' }).at(-1)!;
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(screen.getByLabelText('Type shop to confirm'), 'shop');
    await userEvent.click(screen.getByRole('checkbox', { name: /Also delete its projects/ }));
    await userEvent.click(confirm);
    await waitFor(() => expect(calls.writes).toHaveLength(1));
    expect(calls.writes[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/workspaces/shop?cascade=true' });
  });
});

