import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Allowed, AccessProvider } from '../access/context';
import { AccessCache, type Decision } from '../access/cache';
import { type AccessRequest, projectScope } from '../access/rules';
import { fakeApi } from '../test/render';
import { buildNav } from './nav';

const ws = 'merchant-platform';
const project = 'merchant-prod';
const read = ['get', 'list', 'watch'];

// What the server would answer for a few kinds of user (the real decisions come from atrium's authoriser).
const policies: Record<string, (r: AccessRequest) => boolean> = {
  admin: () => true,
  regular: () => false,
  auditor: (r) => read.includes(r.verb),
  operator: (r) => r.scope.level === 'project' && !r.group.endsWith('atrium.io'),
  projectViewer: (r) => r.scope.level === 'project' && read.includes(r.verb) && r.resource !== 'secrets',
  workspaceAdmin: (r) => r.scope.level === 'workspace' || r.scope.level === 'project',
};

function visible(policy: (r: AccessRequest) => boolean, ctx: { workspace?: string; project?: string } = { workspace: ws, project }) {
  const decide = (r: AccessRequest): Decision => (policy(r) ? 'allow' : 'deny');
  return Object.fromEntries(buildNav(ctx, decide).map((s) => [s.id, s.items.map((i) => i.id)]));
}

describe('navigation by what the server allows', () => {
  it('platform admins see the Platform section; a regular user does not', () => {
    expect(visible(policies.admin, {}).platform).toEqual(['clusters', 'workspaces', 'users', 'groups', 'roles', 'audit']);
    expect(visible(policies.regular, {}).platform).toBeUndefined();
    expect(visible(policies.regular, {}).home).toEqual(['overview', 'tokens']);
  });

  it('an auditor sees the platform pages too', () => {
    expect(visible(policies.auditor, {}).platform).toEqual(['clusters', 'workspaces', 'users', 'groups', 'roles', 'audit']);
  });

  it('a project operator sees the project pages but not its members; a project viewer sees members', () => {
    const v = visible(policies.operator);
    expect(v.project).toEqual(['workloads', 'pods', 'services', 'config', 'storage', 'events']);
    expect(v.workspace).toBeUndefined();
    expect(v.platform).toBeUndefined();
    expect(visible(policies.projectViewer).project).toContain('p-members');
  });

  it('a workspace admin sees the workspace section and everything in its projects', () => {
    const v = visible(policies.workspaceAdmin);
    expect(v.workspace).toEqual(['projects', 'ws-members', 'ws-roles', 'quotas']);
    expect(v.project).toContain('p-members');
  });

  it('shows nothing that is still being asked (no flash of forbidden links)', () => {
    const sections = buildNav({ workspace: ws, project }, () => 'pending');
    expect(sections.map((s) => s.id)).toEqual(['home']);
  });
});

describe('Allowed', () => {
  const create: AccessRequest = { verb: 'create', group: 'apps', resource: 'deployments', scope: projectScope(ws, project) };
  const { api } = fakeApi(() => undefined);

  function show(cache: AccessCache) {
    return render(
      <AccessProvider api={api} cache={cache}>
        <Allowed request={create}>
          <button type="button">Create deployment</button>
        </Allowed>
      </AccessProvider>,
    );
  }

  it('hides a mutating control from a project viewer', () => {
    show(AccessCache.fixed(policies.projectViewer));
    expect(screen.queryByRole('button', { name: 'Create deployment' })).toBeNull();
  });

  it('shows it to an operator', () => {
    show(AccessCache.fixed(policies.operator));
    expect(screen.getByRole('button', { name: 'Create deployment' })).toBeTruthy();
  });

  it('asks the server, shows nothing meanwhile, then shows what it allows', async () => {
    const asked: unknown[] = [];
    const cache = new AccessCache(async (checks) => {
      asked.push(...checks);
      return checks.map(() => ({ allowed: true }));
    });
    show(cache);
    expect(screen.queryByRole('button', { name: 'Create deployment' })).toBeNull();
    expect(await screen.findByRole('button', { name: 'Create deployment' })).toBeTruthy();
    expect(asked).toEqual([
      { verb: 'create', apiGroup: 'apps', resource: 'deployments', scope: { workspace: ws, project } },
    ]);
  });
});
