// A workspace's forms: creating a project (its cluster and quota) and adding a member, their checks before
// sending and the server's causes next to their fields (the rest in the banner).
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AccessCache } from '../../access/cache';
import { failureBanner, fakeApi, fieldError, invalid, renderWith, type FakeRoute } from '../../test/render';
import { AddMemberDialog, memberField } from './Members';
import { CreateProjectDialog, validateProject } from './Projects';

const session = { user: 'admin', expiresAtMs: Date.now() + 3600_000 };

// Renders `ui`: a GET answered from `reads` (path → body), a POST with `posted`; the writes it sent.
function show(ui: React.ReactNode, reads: Record<string, unknown>, posted: ReturnType<FakeRoute>) {
  const fake = fakeApi((m, url) => {
    const path = url.split('?')[0];
    if (m === 'GET' && path in reads) return { status: 200, body: reads[path] };
    return m === 'POST' ? posted : undefined;
  });
  renderWith(ui, { api: fake.api, session, access: AccessCache.fixed(() => true) });
  return () => fake.calls.filter((c) => c.method !== 'GET');
}

describe('create a project', () => {
  const workspace = { '/api/v1/workspaces/shop': { metadata: { name: 'shop' }, spec: { clusters: ['local', 'edge'] } } };

  it('needs a name, a cluster and quantities', () => {
    expect(validateProject({ name: 'web', displayName: '', cluster: 'local', quota: { pods: '20' } })).toEqual({});
    expect(validateProject({ name: '', displayName: '', cluster: '', quota: { 'limits.memory': '8 GB', pods: '' } })).toEqual({
      'metadata.name': 'validation.required',
      'spec.cluster': 'validation.required',
      'spec.quota.hard["limits.memory"]': 'validation.quantity',
    });
  });

  it('sends the first cluster and the quota given, and shows the causes on the name and a limit', async () => {
    const onCreated = vi.fn();
    const writes = show(<CreateProjectDialog ws="shop" onClose={() => {}} onCreated={onCreated} />, workspace,
      invalid('Project "web" is invalid', [
        { field: 'metadata.name', message: 'namespace "web" already exists on local' },
        { field: 'spec.quota.hard["pods"]', message: 'exceeds the workspace quota (50)' },
        { field: 'spec.quota.hard["requests.storage"]', message: 'the workspace limits requests.storage' },
      ]));
    await screen.findByRole('option', { name: 'edge' });
    await userEvent.type(screen.getByLabelText('Name'), 'web');
    await userEvent.type(screen.getByLabelText('Pods'), '80');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(writes()[0]).toMatchObject({
      method: 'POST', url: '/api/v1/workspaces/shop/projects',
      body: { metadata: { name: 'web' }, spec: { cluster: 'local', quota: { hard: { pods: '80' } } } },
    });
    await waitFor(() => expect(fieldError('Pods')).toBe('exceeds the workspace quota (50)'));
    expect(fieldError('Name')).toBe('namespace "web" already exists on local');
    expect(failureBanner()).toContain('the workspace limits requests.storage');
    expect(failureBanner()).not.toContain('exceeds');
    expect(onCreated).not.toHaveBeenCalled();
  });
});

describe('add a member', () => {
  const roles = {
    '/api/v1/workspaces/shop/roles': {
      items: [
        { metadata: { name: 'workspace-admin' }, spec: { level: 'workspace' } },
        { metadata: { name: 'workspace-viewer' }, spec: { level: 'workspace' } },
      ],
      total: 2,
    },
  };
  const dialog = (onDenied: (e: unknown) => void) => (
    <AddMemberDialog listPath="/api/v1/workspaces/shop/members" rolesPath="/api/v1/workspaces/shop/roles"
      onClose={() => {}} onAdded={() => {}} onDenied={onDenied} />
  );

  it('reads the fields the server names, plain or under member.', () => {
    expect(['user', 'member.group', 'member.role', 'member.scope', 'spec.user'].map(memberField))
      .toEqual(['user', 'group', 'role', null, null]);
  });

  it('needs a name, and shows the causes on the user name and the role', async () => {
    const onDenied = vi.fn();
    const writes = show(dialog(onDenied), roles, invalid('Member is invalid', [
      { field: 'member.user', message: 'user "zed" does not exist' },
      { field: 'role', message: 'workspace-viewer cannot be given here' },
      { field: 'scope', message: 'the workspace is being deleted' },
    ]));
    await screen.findByRole('option', { name: 'workspace-viewer' });
    await userEvent.click(screen.getByRole('button', { name: 'Add member' }));
    expect(writes()).toEqual([]);
    expect(fieldError('User name')).toBe('Required');
    await userEvent.type(screen.getByLabelText('User name'), ' zed ');
    await userEvent.selectOptions(screen.getByLabelText('Role'), 'workspace-viewer');
    await userEvent.click(screen.getByRole('button', { name: 'Add member' }));
    expect(writes()[0]).toMatchObject({ method: 'POST', url: '/api/v1/workspaces/shop/members', body: { user: 'zed', role: 'workspace-viewer' } });
    await waitFor(() => expect(fieldError('User name')).toBe('user "zed" does not exist'));
    expect(fieldError('Role')).toBe('workspace-viewer cannot be given here');
    expect(failureBanner()).toContain('the workspace is being deleted');
    expect(failureBanner()).not.toContain('does not exist');
    expect(onDenied).toHaveBeenCalledTimes(1);
  });

  it('puts a group\'s cause on the group name', async () => {
    const writes = show(dialog(() => {}), roles, invalid('Member is invalid', [{ field: 'group', message: 'no group "ops"' }]));
    await screen.findByRole('option', { name: 'workspace-admin' });
    await userEvent.selectOptions(screen.getByLabelText('Member type'), 'group');
    await userEvent.type(screen.getByLabelText('Group name'), 'ops');
    await userEvent.click(screen.getByRole('button', { name: 'Add member' }));
    expect(writes()[0]).toMatchObject({ body: { group: 'ops', role: 'workspace-admin' } });
    await waitFor(() => expect(fieldError('Group name')).toBe('no group "ops"'));
  });
});
