import { describe, expect, it } from 'vitest';
import { socketFactory } from '../test/fakeSocket';
import { openTerminal, parseExitStatus, resizeFrame, stdinFrame } from './terminalStream';
import { splitCommand } from '../pages/project/PodTerminal';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('terminal frames (v4.channel.k8s.io)', () => {
  it('puts the channel first: 0 stdin, 4 resize as Kubernetes wants it', () => {
    const s = stdinFrame('ls é\r');
    expect(s[0]).toBe(0);
    expect(text(s.subarray(1))).toBe('ls é\r');
    const r = resizeFrame(120.4, 0);
    expect(r[0]).toBe(4);
    expect(JSON.parse(text(r.subarray(1)))).toEqual({ Width: 120, Height: 1 });
  });

  it('reads the final Status of channel 3', () => {
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    expect(parseExitStatus(enc({ metadata: {}, status: 'Success' }))).toEqual({ success: true, exitCode: 0 });
    expect(parseExitStatus(enc({
      status: 'Failure', message: 'command terminated with non-zero exit code: exit status 3', reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    }))).toMatchObject({ success: false, exitCode: 3 });
  });

  it('offers the subprotocol, routes output by channel and sends input and sizes', () => {
    const socket = socketFactory();
    const out: string[] = [];
    let exit: unknown;
    let closed: unknown;
    const t = openTerminal('ws://x/exec', {
      onOutput: (d, ch) => out.push(`${ch}:${text(d)}`),
      onExit: (s) => (exit = s),
      onClose: (c) => (closed = c),
    }, socket.make);
    const ws = socket.last();
    expect(ws.protocols).toEqual(['v4.channel.k8s.io']);
    expect(ws.binaryType).toBe('arraybuffer');
    t.input('x'); // not open yet: dropped
    ws.open();
    t.input('echo hello\r');
    t.resize(80, 24);
    expect(ws.sent.map((b) => Array.from(b as Uint8Array)[0])).toEqual([0, 4]);
    const frame = (ch: number, s: string) => {
      const b = new TextEncoder().encode(s);
      const f = new Uint8Array(b.length + 1);
      f[0] = ch;
      f.set(b, 1);
      return f.buffer;
    };
    ws.message(frame(1, 'hello\r\n'));
    ws.message(frame(2, 'oops'));
    ws.message(frame(3, '{"status":"Success"}'));
    ws.drop(1000, 'session ended');
    expect(out).toEqual(['1:hello\r\n', '2:oops']);
    expect(exit).toEqual({ success: true, exitCode: 0 });
    expect(closed).toEqual({ code: 1000, reason: 'session ended', opened: true });
  });
});

describe('splitCommand', () => {
  it('splits on spaces and keeps quoted words whole', () => {
    expect(splitCommand('sh')).toEqual(['sh']);
    expect(splitCommand(`  sh -c "echo a b"  'x y' `)).toEqual(['sh', '-c', 'echo a b', 'x y']);
    expect(splitCommand('')).toEqual([]);
  });
});
