// A WebSocket stand-in for tests: records what is sent, and lets the test open, answer and close it.
export class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  sent: unknown[] = [];
  closedWith: number | undefined;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;

  constructor(readonly url: string, readonly protocols?: string[]) {}

  send(data: unknown) {
    this.sent.push(data);
  }

  close(code = 1000) {
    this.closedWith = code;
    this.readyState = 3;
  }

  // --- driven by the test ---
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  message(data: unknown) {
    this.onmessage?.({ data: typeof data === 'string' || data instanceof ArrayBuffer ? data : JSON.stringify(data) } as MessageEvent);
  }

  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }
}

// A factory that keeps every socket it made.
export function socketFactory() {
  const sockets: FakeSocket[] = [];
  const make = (url: string, protocols?: string[]) => {
    const s = new FakeSocket(url, protocols);
    sockets.push(s);
    return s as unknown as WebSocket;
  };
  return { sockets, make, last: () => sockets[sockets.length - 1] };
}
