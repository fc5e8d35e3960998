// The revisions tab of a workload, for a StatefulSet (ControllerRevisions): the history as the server sends it,
// roll back to a chosen revision (confirmed, POSTed to the statefulsets path), the "nothing to do" answer, and a
// refusal that hides the control from then on.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AccessCache } from '../../access/cache';
import { type AccessCheck, projectScope } from '../../access/rules';
import { fakeApi, renderWith, type FakeRoute } from '../../test/render';
import { type ProjectInfo, ProjectProvider } from './ProjectLayout';
import { type Revision, Revisions } from './WorkloadDetail';

const session = { user: 'dev', expiresAtMs: Date.now() + 3600_000 };
const project: ProjectInfo = {
  workspace: 'shop',
  project: 'shop-prod',
  cluster: 'local',
  namespace: 'shop-prod',
  scope: projectScope('shop', 'shop-prod', 'local'),
};
const base = '/api/v1/clusters/local/namespaces/shop-prod/statefulsets/db';

// The server's order: newest first; the newest is the current one.
const revisions: Revision[] = [
  { revision: 3, controllerRevision: 'db-7c9d', images: ['postgres:16.3'], changeCause: 'bump', creationTimestamp: '2026-01-03T00:00:00Z', current: true },
  { revision: 2, controllerRevision: 'db-6b8c', images: ['postgres:16.2'], creationTimestamp: '2026-01-02T00:00:00Z' },
  { revision: 1, controllerRevision: 'db-5a7b', images: ['postgres:16.1'], creationTimestamp: '2026-01-01T00:00:00Z' },
];

const answer = (body: unknown, status = 200) => ({ status, body });

// Renders the tab with an access cache that asks `review` (every check recorded), as the app's does.
function show(route: FakeRoute, allowed = true) {
  const checks: AccessCheck[] = [];
  const access = new AccessCache(async (cs) => {
    checks.push(...cs);
    return cs.map(() => ({ allowed }));
  });
  const fake = fakeApi((m, url, body) => {
    if (m === 'GET' && url === `${base}/revisions`) return answer({ items: revisions, total: revisions.length });
    return route(m, url, body);
  });
  renderWith(
    <ProjectProvider value={project}>
      <Revisions resource="statefulsets" name="db" version="12" />
    </ProjectProvider>,
    { api: fake.api, session, access },
  );
  return {
    checks,
    get posts() {
      return fake.calls.filter((c) => c.method === 'POST');
    },
    get reads() {
      return fake.calls.filter((c) => c.method === 'GET' && c.url === `${base}/revisions`).length;
    },
  };
}

const table = () => screen.findByRole('table', { name: 'Revisions' });
const rollbackButtons = () => screen.queryAllByRole('button', { name: /^Roll back to revision/ });

describe('workload revisions (StatefulSet)', () => {
  it('lists the revisions newest first; every one but the current can be rolled back to', async () => {
    const s = show(() => undefined);
    const rows = within(await table()).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0].textContent?.trim())).toEqual(['3 current', '2', '1']);
    expect(within(rows[0]).getByText('postgres:16.3')).toBeTruthy();
    await waitFor(() => expect(rollbackButtons()).toHaveLength(2));
    expect(within(rows[0]).queryByRole('button')).toBeNull();
    expect(within(rows[1]).getByRole('button', { name: 'Roll back to revision 2' })).toBeTruthy();
    expect(within(rows[2]).getByRole('button', { name: 'Roll back to revision 1' })).toBeTruthy();
    // The question asked: may this user create statefulsets/rollback in this project?
    expect(s.checks).toContainEqual({
      verb: 'create',
      apiGroup: 'apps',
      resource: 'statefulsets',
      subresource: 'rollback',
      scope: { workspace: 'shop', project: 'shop-prod', cluster: 'local' },
    });
  });

  it('asks first, then POSTs the revision to the statefulsets rollback path and reads the history again', async () => {
    const s = show((m, url) =>
      m === 'POST' && url === `${base}/rollback`
        ? answer({ kind: 'StatefulSetRollback', revision: 2, controllerRevision: 'db-6b8c', changed: true, message: 'statefulset db rolled back to revision 2' })
        : undefined,
    );
    await table();
    await userEvent.click(await screen.findByRole('button', { name: 'Roll back to revision 2' }));
    const dialog = screen.getByRole('dialog', { name: 'Roll db back to revision 2' });
    expect(within(dialog).getByText(/revision 2 \(postgres:16\.2\)/)).toBeTruthy();
    expect(s.posts).toEqual([]);
    // Cancel sends nothing.
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(s.posts).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Roll back to revision 2' }));
    const reads = s.reads;
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Roll back' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(s.posts).toEqual([{ method: 'POST', url: `${base}/rollback`, body: { revision: 2 } }]);
    const toast = await screen.findByText('statefulset db rolled back to revision 2');
    expect(toast.closest('.toast')?.className).toContain('toast-success');
    await waitFor(() => expect(s.reads).toBe(reads + 1));
  });

  it('shows the message of a rollback that changed nothing', async () => {
    const message = 'skipped rollback: the current template already matches revision 1';
    show((m) =>
      m === 'POST' ? answer({ kind: 'StatefulSetRollback', revision: 1, controllerRevision: 'db-5a7b', changed: false, message }) : undefined,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Roll back to revision 1' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Roll back' }));
    const toast = await screen.findByText(message);
    expect(toast.closest('.toast')?.className).toContain('toast-info');
    expect(screen.queryByText('Rolled back to revision 1')).toBeNull();
  });

  it('offers no roll back when the server says the user may not', async () => {
    const s = show(() => undefined, false);
    await table();
    await waitFor(() => expect(s.checks.length).toBeGreaterThan(0));
    expect(rollbackButtons()).toEqual([]);
    expect(screen.getAllByRole('row')).toHaveLength(4);
  });

  it('on a 403, says so in the dialog and hides every roll back control', async () => {
    const s = show((m) =>
      m === 'POST'
        ? answer({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'user "dev" may not create statefulsets/rollback' }, 403)
        : undefined,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Roll back to revision 1' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('You do not have permission for this');
    expect(alert.textContent).toContain('user "dev" may not create statefulsets/rollback');
    expect(s.posts).toHaveLength(1);
    // The refusal is remembered: the table offers no roll back any more, and the dialog stays open on its error.
    expect(rollbackButtons()).toEqual([]);
    expect(screen.getByRole('dialog')).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(rollbackButtons()).toEqual([]);
  });
});
