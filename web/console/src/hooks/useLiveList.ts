// A list kept up to date by the watch WebSocket (api/watch.ts). The objects are held by name; changes are
// applied in batches (at most every 100 ms once synced) so a burst of events costs one render. A reconnect of an
// unfiltered list resumes from the last token seen (only what changed meanwhile is sent); otherwise, or when the
// server cannot resume, it rebuilds the list from the server's ADDED + SYNCED and swaps it in whole, so objects
// deleted meanwhile go and nothing flickers. When the socket cannot be opened, a plain GET of the list says why (a Status, or no
// answer: then the connection banner shows and the watch comes back when the server does); if that GET works
// (a proxy without WebSockets), the list is read over HTTP at each retry instead.
import { useCallback, useEffect, useRef, useState } from 'react';
import { buildQuery, type ListResult } from '../api/client';
import { websocketUrl } from '../api/endpoints';
import { ApiError, NetworkError } from '../api/errors';
import type { KubeObject } from '../api/types';
import { openWatch, type WatchSocketFactory } from '../api/watch';
import { useApi } from '../app/context';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'offline' | 'failed';

export interface LiveList<T> {
  items: T[];
  synced: boolean;
  status: LiveStatus;
  error: unknown;
  reconnect: () => void;
}

export interface LiveListOptions {
  labelSelector?: string;
  name?: string;
  delaysMs?: number[];
  socket?: WatchSocketFactory;
}

const DEFAULT_DELAYS = [500, 1000, 2000, 4000, 8000, 15000, 30000];
const SYNCED_BATCH_MS = 100;
const FIRST_SYNC_BATCH_MS = 300;

// Marks for the e2e suite's timing of large lists (User Timing; harmless elsewhere).
export function mark(name: string): void {
  try {
    performance.mark(name);
  } catch {
    // no performance API (tests)
  }
}

export function useLiveList<T extends KubeObject>(path: string | null, options: LiveListOptions = {}): LiveList<T> {
  const api = useApi();
  const [state, setState] = useState<Omit<LiveList<T>, 'reconnect'>>({ items: [], synced: false, status: 'connecting', error: null });
  const [generation, setGeneration] = useState(0);
  const reconnect = useCallback(() => setGeneration((g) => g + 1), []);
  const { labelSelector, name } = options;
  const delays = options.delaysMs ?? DEFAULT_DELAYS;
  const socket = useRef(options.socket);
  socket.current = options.socket;
  const delaysRef = useRef(delays);
  delaysRef.current = delays;

  useEffect(() => {
    if (!path) return;
    const query = { labelSelector: labelSelector || undefined, name: name || undefined };
    const resumable = !labelSelector && !name;
    let lastToken: string | undefined;
    let disposed = false;
    let current = new Map<string, T>();
    let incoming: Map<string, T> | null = null;
    let everSynced = false;
    let status: LiveStatus = 'connecting';
    let error: unknown = null;
    let dirty = false;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let watch: { close(): void } | null = null;

    setState({ items: [], synced: false, status: 'connecting', error: null });

    const publish = () => {
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      dirty = false;
      if (disposed) return;
      setState({ items: Array.from(current.values()), synced: everSynced, status, error });
    };
    const schedule = (ms: number) => {
      dirty = true;
      if (flushTimer === undefined) flushTimer = setTimeout(() => dirty && publish(), ms);
    };
    const setStatus = (s: LiveStatus, e: unknown = error) => {
      status = s;
      error = e;
      publish();
    };

    const retryLater = () => {
      if (disposed) return;
      clearTimeout(retryTimer);
      const delay = delaysRef.current[Math.min(attempt, delaysRef.current.length - 1)];
      attempt++;
      retryTimer = setTimeout(connect, delay);
    };

    // Why the socket could not be opened: the list's own answer.
    const probe = async () => {
      try {
        const read = new Map<string, T>();
        for (let page = 1; page <= 100; page++) {
          const r: ListResult<T> = await api.list<T>(path, { ...query, page, limit: 1000 });
          for (const o of r.items) read.set(o.metadata.name, o);
          if (r.items.length < 1000 || read.size >= r.total) break;
        }
        if (disposed) return;
        current = read;
        everSynced = true;
        setStatus('polling', null);
        retryLater();
      } catch (e) {
        if (disposed) return;
        if (e instanceof NetworkError) {
          setStatus('offline', null); // the connection banner is showing; onReconnect brings us back
          retryLater();
        } else if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
          setStatus('failed', e); // retried only when asked
        } else {
          setStatus('reconnecting', e);
          retryLater();
        }
      }
    };

    function connect() {
      if (disposed) return;
      clearTimeout(retryTimer);
      watch?.close();
      incoming = new Map();
      const first = !everSynced;
      let synced = false;
      const resume = resumable && everSynced && lastToken ? lastToken : undefined;
      const url = websocketUrl(path!, buildQuery({ ...query, resume }));
      watch = openWatch<T>(
        url,
        {
          onEvent: (type, object, token) => {
            if (token) lastToken = token;
            const key = object.metadata?.name;
            if (!key) return;
            if (!synced) {
              if (incoming!.size === 0 && first) mark('atrium:list:first-data');
              if (type === 'DELETED') incoming!.delete(key);
              else incoming!.set(key, object);
              // The very first sync of a long list shows what has come so far.
              if (first) {
                current = incoming!;
                schedule(FIRST_SYNC_BATCH_MS);
              }
              return;
            }
            if (type === 'DELETED') current.delete(key);
            else current.set(key, object);
            schedule(SYNCED_BATCH_MS);
          },
          onSynced: (_total, r) => {
            mark('atrium:list:synced');
            synced = true;
            if (r.token) lastToken = r.token;
            // Resumed: what we hold is still right, and only the changes since follow.
            if (!r.resumed) current = incoming ?? new Map();
            incoming = null;
            everSynced = true;
            attempt = 0;
            status = 'live';
            error = null;
            publish();
          },
          onClose: ({ opened }) => {
            if (disposed) return;
            incoming = null;
            if (opened && synced) {
              // The server went away or restarted: try again at once, then with back-off.
              status = 'reconnecting';
              publish();
              retryLater();
            } else void probe();
          },
        },
        socket.current,
      );
    }

    connect();
    const offReconnect = api.connection.onReconnect(() => {
      if (status === 'offline' || status === 'reconnecting' || status === 'polling') {
        attempt = 0;
        connect();
      }
    });
    return () => {
      disposed = true;
      offReconnect();
      clearTimeout(retryTimer);
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      watch?.close();
    };
  }, [api, path, labelSelector, name, generation]);

  return { ...state, reconnect };
}
