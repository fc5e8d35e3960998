import { act, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiContext } from '../app/context';
import type { KubeObject } from '../api/types';
import { fakeApi } from '../test/render';
import { socketFactory } from '../test/fakeSocket';
import { type LiveList, useLiveList } from './useLiveList';

const pod = (name: string, phase = 'Running') => ({ metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z' }, status: { phase } });

function Probe({ path, onState, socket, selector }: {
  path: string;
  onState: (s: LiveList<KubeObject>) => void;
  socket: ReturnType<typeof socketFactory>;
  selector?: string;
}) {
  const s = useLiveList<KubeObject>(path, { socket: socket.make, delaysMs: [5], labelSelector: selector });
  onState(s);
  return <div>{s.status} {s.items.map((o) => `${o.metadata.name}:${(o.status as { phase?: string })?.phase}`).sort().join(',')}</div>;
}

function setup(route: Parameters<typeof fakeApi>[0] = () => undefined, selector?: string) {
  const { api, calls } = fakeApi(route);
  const socket = socketFactory();
  let state: LiveList<KubeObject> | undefined;
  render(
    <ApiContext.Provider value={api}>
      <Probe path="/api/v1/clusters/local/namespaces/p/pods" socket={socket} selector={selector} onState={(s) => (state = s)} />
    </ApiContext.Provider>,
  );
  return { api, calls, socket, state: () => state! };
}

describe('useLiveList', () => {
  it('opens the watch on the list path with its query, and shows the objects once synced', async () => {
    const { socket, state } = setup(undefined, 'app=web');
    const ws = socket.last();
    expect(ws.url).toBe(`ws://${location.host}/api/v1/clusters/local/namespaces/p/pods?labelSelector=app%3Dweb`);
    act(() => {
      ws.open();
      ws.message({ type: 'ADDED', object: pod('a') });
      ws.message({ type: 'ADDED', object: pod('b', 'Pending') });
      ws.message({ type: 'SYNCED', total: 2 });
    });
    expect(state().synced).toBe(true);
    expect(screen.getByText('live a:Running,b:Pending')).toBeTruthy();
  });

  it('applies changes in a batch: modified, deleted, added', async () => {
    const { socket } = setup();
    const ws = socket.last();
    act(() => {
      ws.open();
      ws.message({ type: 'ADDED', object: pod('a', 'Pending') });
      ws.message({ type: 'SYNCED', total: 1 });
    });
    act(() => {
      ws.message({ type: 'MODIFIED', object: pod('a', 'Running') });
      ws.message({ type: 'ADDED', object: pod('b') });
      ws.message({ type: 'DELETED', object: pod('b') });
      ws.message({ type: 'ADDED', object: pod('c') });
      ws.message('not json');
    });
    expect(screen.getByText('live a:Pending')).toBeTruthy(); // not yet: one render per batch
    expect(await screen.findByText('live a:Running,c:Running')).toBeTruthy();
  });

  it('reconnects after the server went away and swaps in the new list whole (what went meanwhile goes)', async () => {
    const { socket } = setup();
    const first = socket.last();
    act(() => {
      first.open();
      first.message({ type: 'ADDED', object: pod('a') });
      first.message({ type: 'ADDED', object: pod('gone') });
      first.message({ type: 'SYNCED', total: 2 });
    });
    act(() => first.drop(1001, 'server going away'));
    expect(screen.getByText('reconnecting a:Running,gone:Running')).toBeTruthy();
    await waitFor(() => expect(socket.sockets).toHaveLength(2));
    const second = socket.last();
    act(() => {
      second.open();
      second.message({ type: 'ADDED', object: pod('a') });
    });
    // until SYNCED the old list stays
    expect(screen.getByText('reconnecting a:Running,gone:Running')).toBeTruthy();
    act(() => second.message({ type: 'SYNCED', total: 1 }));
    expect(screen.getByText('live a:Running')).toBeTruthy();
  });

  it('resumes an unfiltered list from the last token: only the changes since apply, the rest stays', async () => {
    const { socket } = setup();
    const first = socket.last();
    expect(first.url).not.toContain('resume=');
    act(() => {
      first.open();
      first.message({ type: 'ADDED', token: 'e.5', object: pod('a') });
      first.message({ type: 'ADDED', token: 'e.5', object: pod('b') });
      first.message({ type: 'SYNCED', resumed: false, total: 2, token: 'e.5' });
      first.message({ type: 'MODIFIED', token: 'e.6', object: pod('a', 'Failed') });
    });
    await waitFor(() => expect(screen.getByText('live a:Failed,b:Running')).toBeTruthy());
    act(() => first.drop(1006));
    await waitFor(() => expect(socket.sockets).toHaveLength(2));
    const second = socket.last();
    expect(second.url).toContain('resume=e.6');
    act(() => {
      second.open();
      second.message({ type: 'SYNCED', resumed: true });
      second.message({ type: 'DELETED', token: 'e.7', object: pod('b') });
      second.message({ type: 'ADDED', token: 'e.8', object: pod('c') });
    });
    await waitFor(() => expect(screen.getByText('live a:Failed,c:Running')).toBeTruthy());
  });

  it('does not resume a filtered list (the server could not say what left the filter)', async () => {
    const { socket } = setup(() => undefined, 'app=web');
    const first = socket.last();
    act(() => {
      first.open();
      first.message({ type: 'ADDED', token: 'e.1', object: pod('a') });
      first.message({ type: 'SYNCED', resumed: false, total: 1, token: 'e.1' });
    });
    act(() => first.drop(1006));
    await waitFor(() => expect(socket.sockets).toHaveLength(2));
    expect(socket.last().url).not.toContain('resume=');
  });

  it('asks the list over HTTP why the socket would not open: a refusal is shown and not retried', async () => {
    const { socket, state, calls } = setup(() => ({ status: 403, body: { kind: 'Status', message: 'user "v" may not list pods', reason: 'Forbidden' } }));
    act(() => socket.last().drop(1006));
    await waitFor(() => expect(state().status).toBe('failed'));
    expect((state().error as Error).message).toBe('user "v" may not list pods');
    expect(calls[0].url).toContain('/api/v1/clusters/local/namespaces/p/pods?');
    await new Promise((r) => setTimeout(r, 30));
    expect(socket.sockets).toHaveLength(1);
    act(() => state().reconnect());
    expect(socket.sockets).toHaveLength(2);
  });

  it('falls back to reading the list over HTTP when only WebSockets fail', async () => {
    const { socket, state } = setup(() => ({ status: 200, body: { items: [pod('x')], total: 1 } }));
    act(() => socket.last().drop(1006));
    await waitFor(() => expect(state().status).toBe('polling'));
    expect(screen.getByText('polling x:Running')).toBeTruthy();
    await waitFor(() => expect(socket.sockets.length).toBeGreaterThan(1));
  });

  it('goes offline when the server does not answer, and comes back when the connection does', async () => {
    const { api, socket, state } = setup(() => {
      throw new TypeError('Failed to fetch');
    });
    expect(api.connection.current.online).toBe(true);
    act(() => socket.last().drop(1006));
    await waitFor(() => expect(state().status).toBe('offline'));
    expect(api.connection.current.online).toBe(false);
    const count = socket.sockets.length;
    act(() => api.connection.reportSuccess());
    expect(socket.sockets.length).toBe(count + 1);
  });
});
