// Follows a pod's log over atrium's WebSocket (GET .../pods/{pod}/log?follow=true): text frames of UTF-8
// text, cut anywhere; this joins them into whole lines. The server closes with 1000 at the end of the log,
// 1011 with the apiserver's message when the stream fails, 1001 on shutdown.

export interface LogStreamHandlers {
  onLines: (lines: string[]) => void;
  onOpen?: () => void;
  onEnd?: (info: { code: number; reason: string; clean: boolean }) => void;
}

// Joins chunks into lines; the last, unfinished line waits for the next chunk.
export class LineSplitter {
  private partial = '';

  push(chunk: string): string[] {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  flush(): string[] {
    if (!this.partial) return [];
    const last = this.partial;
    this.partial = '';
    return [last];
  }
}

export type SocketFactory = (url: string) => WebSocket;

export function followLog(url: string, handlers: LogStreamHandlers, open: SocketFactory = (u) => new WebSocket(u)) {
  const splitter = new LineSplitter();
  const ws = open(url);
  let closedByUs = false;
  ws.onopen = () => handlers.onOpen?.();
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data !== 'string') return;
    const lines = splitter.push(e.data);
    if (lines.length) handlers.onLines(lines);
  };
  ws.onclose = (e: CloseEvent) => {
    const rest = splitter.flush();
    if (rest.length) handlers.onLines(rest);
    if (!closedByUs) handlers.onEnd?.({ code: e.code, reason: e.reason, clean: e.code === 1000 });
  };
  return {
    close() {
      closedByUs = true;
      ws.close(1000);
    },
  };
}
