// Live lists: a WebSocket on a workload list path (GET /api/v1/clusters/{c}/namespaces/{ns}/{resource}, same
// query: labelSelector, name) sends {"type":"ADDED","token":…,"object":…} for every current object, then
// {"type":"SYNCED","resumed":false,"total":N,"token":…}, then ADDED / MODIFIED / DELETED as things change (an
// object entering or leaving the selector is ADDED / DELETED). An unfiltered list reconnects with
// ?resume=<last token>: the server then answers {"type":"SYNCED","resumed":true} and only what changed since
// (docs/api-conventions.md). Cookie-authenticated; the browser sends atrium's own Origin.

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchHandlers<T> {
  onOpen?: () => void;
  onEvent: (type: WatchEventType, object: T, token?: string) => void;
  onSynced: (total: number, resume: { resumed: boolean; token?: string }) => void;
  // `opened`: the upgrade succeeded (a refusal before it looks like a network failure to a browser).
  onClose: (info: { code: number; reason: string; opened: boolean }) => void;
}

export type WatchSocketFactory = (url: string) => WebSocket;

export function openWatch<T>(url: string, handlers: WatchHandlers<T>, open: WatchSocketFactory = (u) => new WebSocket(u)) {
  const ws = open(url);
  let opened = false;
  let closedByUs = false;
  ws.onopen = () => {
    opened = true;
    handlers.onOpen?.();
  };
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data !== 'string') return;
    let m: { type?: string; object?: T; total?: number; token?: string; resumed?: boolean };
    try {
      m = JSON.parse(e.data) as typeof m;
    } catch {
      return; // not ours; the server only sends JSON
    }
    const token = typeof m.token === 'string' ? m.token : undefined;
    if (m.type === 'SYNCED') handlers.onSynced(typeof m.total === 'number' ? m.total : 0, { resumed: m.resumed === true, token });
    else if ((m.type === 'ADDED' || m.type === 'MODIFIED' || m.type === 'DELETED') && m.object) handlers.onEvent(m.type, m.object, token);
  };
  ws.onclose = (e: CloseEvent) => {
    if (!closedByUs) handlers.onClose({ code: e.code, reason: e.reason, opened });
  };
  return {
    close() {
      closedByUs = true;
      ws.onopen = ws.onmessage = ws.onclose = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
    },
  };
}
