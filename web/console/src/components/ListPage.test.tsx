import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ListQuery } from '../api/client';
import { fakeApi, renderWith } from '../test/render';
import { ListPage, loadAll } from './ListPage';

type Row = { metadata: { name: string } };
const pods: Row[] = Array.from({ length: 10_000 }, (_, i) => ({ metadata: { name: `pod-${String(i).padStart(5, '0')}` } }));

// A server-side list: name filter, paging by page/limit, as the API does it.
function serve(q: ListQuery) {
  const matching = pods.filter((p) => !q.name || p.metadata.name.includes(q.name));
  const ordered = q.sortBy === 'name' && !q.ascending ? [...matching].reverse() : matching;
  const limit = q.limit ?? 100;
  const page = q.page ?? 1;
  return { items: ordered.slice((page - 1) * limit, page * limit), total: matching.length };
}

describe('ListPage', () => {
  it('reads every page for "All" and renders only a window of the 10,000 rows', async () => {
    const load = vi.fn(async (q: ListQuery) => serve(q));
    const { api } = fakeApi(() => undefined);
    renderWith(
      <ListPage<Row> label="Pods" load={load} rowKey={(p) => p.metadata.name}
        columns={[{ id: 'name', header: 'Name', sortKey: 'name', render: (p) => p.metadata.name }]} />,
      { api },
    );
    await screen.findByText('pod-00000');
    await userEvent.selectOptions(screen.getByLabelText('Rows per page'), 'All');
    await waitFor(() => expect(screen.getByText('10000 in total')).toBeTruthy());
    await waitFor(() => expect(load.mock.calls.filter((c) => c[0].limit === 1000)).toHaveLength(10));
    const table = screen.getByRole('table', { name: 'Pods' });
    expect(table.getAttribute('aria-rowcount')).toBe('10001');
    // header row + a window of body rows
    expect(screen.getAllByRole('row').length).toBeLessThan(40);
  });

  it('sends the name filter and sort order as list query parameters', async () => {
    const load = vi.fn(async (q: ListQuery) => serve(q));
    const { api } = fakeApi(() => undefined);
    renderWith(
      <ListPage<Row> label="Pods" load={load} rowKey={(p) => p.metadata.name}
        columns={[{ id: 'name', header: 'Name', sortKey: 'name', render: (p) => p.metadata.name }]} />,
      { api },
    );
    await screen.findByText('pod-00000');
    await userEvent.type(screen.getByLabelText('Filter by name'), '0999');
    await waitFor(() => expect(load).toHaveBeenLastCalledWith(expect.objectContaining({ name: '0999', page: 1 }), expect.anything()));
    expect(await screen.findByText('11 in total')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: /Name/ }));
    await waitFor(() => expect(load).toHaveBeenLastCalledWith(expect.objectContaining({ sortBy: 'name', ascending: true }), expect.anything()));
    expect(screen.getByRole('columnheader').getAttribute('aria-sort')).toBe('ascending');
  });

  it('shows the server\'s Status message when the list fails', async () => {
    const { ApiError } = await import('../api/errors');
    const load = vi.fn(async () => {
      throw new ApiError(503, 'cluster sandbox is unreachable: connection refused', 'ServiceUnavailable');
    });
    const { api } = fakeApi(() => undefined);
    renderWith(<ListPage<Row> label="Pods" load={load} rowKey={(p) => p.metadata.name} columns={[]} />, { api });
    expect(await screen.findByText('cluster sandbox is unreachable: connection refused')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});

describe('loadAll', () => {
  it('stops at the total', async () => {
    const load = vi.fn(async (q: ListQuery) => serve({ ...q, name: 'pod-00' }));
    const r = await loadAll(load, {}, new AbortController().signal);
    expect(r.items).toHaveLength(1000);
    expect(load).toHaveBeenCalledTimes(1);
  });
});

describe('ListPage (live)', () => {
  it('holds the watched objects: filters, sorts and virtualises them here, and follows changes', async () => {
    const { act } = await import('@testing-library/react');
    const { socketFactory } = await import('../test/fakeSocket');
    const socket = socketFactory();
    const { api } = fakeApi(() => undefined);
    type Pod = { metadata: { name: string; creationTimestamp: string; uid: string } };
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    renderWith(
      <ListPage<Pod> label="Pods" live={{ path: '/api/v1/clusters/local/namespaces/p/pods', socket: socket.make }}
        rowKey={(p) => p.metadata.uid}
        columns={[
          { id: 'name', header: 'Name', sortKey: 'name', render: (p) => p.metadata.name },
          { id: 'age', header: 'Age', sortKey: 'creationTimestamp', render: (p) => p.metadata.creationTimestamp },
        ]} />,
      { api },
    );
    expect(screen.getByText('Loading…')).toBeTruthy();
    const ws = socket.last();
    act(() => {
      ws.open();
      for (let i = 0; i < 10_000; i++) {
        ws.message({ type: 'ADDED', object: { metadata: { name: `pod-${String(i).padStart(5, '0')}`, creationTimestamp: at(i), uid: `u${i}` } } });
      }
      ws.message({ type: 'SYNCED', total: 10_000 });
    });
    expect(screen.getByText('10000 in total')).toBeTruthy();
    expect(screen.getByText('Live', { selector: '.badge' })).toBeTruthy();
    // newest first by default, all rows in one virtualised list
    expect(screen.getAllByRole('row')[1].textContent).toContain('pod-09999');
    expect(screen.getByRole('table', { name: 'Pods' }).getAttribute('aria-rowcount')).toBe('10001');
    expect(screen.getAllByRole('row').length).toBeLessThan(40);
    await userEvent.type(screen.getByLabelText('Filter by name'), '0999');
    expect(screen.getByText('11 in total')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: /Name/ }));
    expect(screen.getAllByRole('row')[1].textContent).toContain('pod-00999');
    act(() => ws.message({ type: 'DELETED', object: { metadata: { name: 'pod-00999', creationTimestamp: at(999), uid: 'u999' } } }));
    expect(await screen.findByText('10 in total')).toBeTruthy();
  });
});
