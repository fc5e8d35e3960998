// Whether the server can be reached. The API client reports a request that got no HTTP answer; the monitor
// then probes /healthz (no authentication) with a growing delay until it answers, and tells its subscribers,
// so the connection banner shows and hides itself and pages reload what failed.

export type ConnectionState = { online: true } | { online: false; nextRetryAt: number; attempts: number };

type Listener = (state: ConnectionState) => void;

export interface ConnectionMonitorOptions {
  probe?: () => Promise<boolean>;
  delaysMs?: number[];
  now?: () => number;
}

async function defaultProbe(): Promise<boolean> {
  try {
    const r = await fetch('/healthz', { cache: 'no-store' });
    return r.ok;
  } catch {
    return false;
  }
}

export class ConnectionMonitor {
  private state: ConnectionState = { online: true };
  private listeners = new Set<Listener>();
  private reconnectListeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly probe: () => Promise<boolean>;
  private readonly delays: number[];
  private readonly now: () => number;

  constructor(options: ConnectionMonitorOptions = {}) {
    this.probe = options.probe ?? defaultProbe;
    this.delays = options.delaysMs ?? [1000, 2000, 4000, 8000, 15000];
    this.now = options.now ?? Date.now;
  }

  get current(): ConnectionState {
    return this.state;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  // Called once the server answers again after an outage.
  onReconnect(l: () => void): () => void {
    this.reconnectListeners.add(l);
    return () => this.reconnectListeners.delete(l);
  }

  reportFailure(): void {
    if (!this.state.online) return;
    this.schedule(0);
  }

  reportSuccess(): void {
    if (this.state.online) return;
    this.setOnline();
  }

  // The banner's "Retry now".
  retryNow(): void {
    if (this.state.online) return;
    clearTimeout(this.timer);
    void this.attempt(this.state.attempts);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.listeners.clear();
    this.reconnectListeners.clear();
  }

  private schedule(attempts: number): void {
    const delay = this.delays[Math.min(attempts, this.delays.length - 1)];
    this.set({ online: false, attempts, nextRetryAt: this.now() + delay });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(attempts), delay);
  }

  private async attempt(attempts: number): Promise<void> {
    const ok = await this.probe();
    if (this.state.online) return;
    if (ok) this.setOnline();
    else this.schedule(attempts + 1);
  }

  private setOnline(): void {
    clearTimeout(this.timer);
    this.set({ online: true });
    for (const l of [...this.reconnectListeners]) l();
  }

  private set(s: ConnectionState): void {
    this.state = s;
    for (const l of [...this.listeners]) l(s);
  }
}
