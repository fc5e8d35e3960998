// A terminal in a container over atrium's WebSocket (GET …/pods/{pod}/exec?container=&command=&tty=true),
// Kubernetes' v4.channel.k8s.io framing: binary frames whose first byte is the channel. To the server: 0 stdin,
// 4 resize {"Width":W,"Height":H}. From it: 1 stdout, 2 stderr, 3 the final Status ({"status":"Success"}, or
// reason NonZeroExitCode with the exit code in details.causes), then a close (1000; 1008 for a bad frame,
// 1011 when the cluster's stream failed, 1001 on shutdown).

export const CHANNEL_PROTOCOL = 'v4.channel.k8s.io';

export interface ExitStatus {
  success: boolean;
  exitCode?: number;
  message?: string;
}

export interface TerminalHandlers {
  onOpen?: () => void;
  onOutput: (data: Uint8Array, channel: 1 | 2) => void;
  onExit?: (status: ExitStatus) => void;
  onClose?: (info: { code: number; reason: string; opened: boolean }) => void;
}

const encoder = new TextEncoder();

export function frame(channel: number, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(payload.length + 1);
  out[0] = channel;
  out.set(payload, 1);
  return out;
}

export function stdinFrame(text: string): Uint8Array<ArrayBuffer> {
  return frame(0, encoder.encode(text));
}

export function resizeFrame(cols: number, rows: number): Uint8Array<ArrayBuffer> {
  const w = Math.max(1, Math.min(10000, Math.round(cols)));
  const h = Math.max(1, Math.min(10000, Math.round(rows)));
  return frame(4, encoder.encode(JSON.stringify({ Width: w, Height: h })));
}

// The final Status of channel 3.
export function parseExitStatus(bytes: Uint8Array): ExitStatus {
  try {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as {
      status?: string;
      message?: string;
      reason?: string;
      details?: { causes?: { reason?: string; message?: string }[] };
    };
    if (s.status === 'Success') return { success: true, exitCode: 0 };
    const code = s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
    return { success: false, exitCode: code !== undefined && /^\d+$/.test(code) ? Number(code) : undefined, message: s.message };
  } catch {
    return { success: false, message: 'unreadable status' };
  }
}

export type TerminalSocketFactory = (url: string, protocols: string[]) => WebSocket;

export function openTerminal(url: string, handlers: TerminalHandlers, open: TerminalSocketFactory = (u, p) => new WebSocket(u, p)) {
  const ws = open(url, [CHANNEL_PROTOCOL]);
  ws.binaryType = 'arraybuffer';
  let opened = false;
  let closedByUs = false;
  ws.onopen = () => {
    opened = true;
    handlers.onOpen?.();
  };
  ws.onmessage = (e: MessageEvent) => {
    const data = typeof e.data === 'string' ? encoder.encode(e.data) : new Uint8Array(e.data as ArrayBuffer);
    if (data.length === 0) return;
    const channel = data[0];
    const payload = data.subarray(1);
    if (channel === 1 || channel === 2) handlers.onOutput(payload, channel);
    else if (channel === 3) handlers.onExit?.(parseExitStatus(payload));
  };
  ws.onclose = (e: CloseEvent) => {
    if (!closedByUs) handlers.onClose?.({ code: e.code, reason: e.reason, opened });
  };
  const send = (bytes: Uint8Array<ArrayBuffer>) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(bytes);
  };
  return {
    input(text: string) {
      send(stdinFrame(text));
    },
    resize(cols: number, rows: number) {
      send(resizeFrame(cols, rows));
    },
    close() {
      closedByUs = true;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
    },
  };
}
