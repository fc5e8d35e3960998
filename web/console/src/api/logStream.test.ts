import { describe, expect, it } from 'vitest';
import { LineSplitter, followLog } from './logStream';

describe('LineSplitter', () => {
  it('joins chunks cut anywhere into whole lines', () => {
    const s = new LineSplitter();
    expect(s.push('first li')).toEqual([]);
    expect(s.push('ne\nsecond\r\nthi')).toEqual(['first line', 'second']);
    expect(s.push('rd\n\n')).toEqual(['third', '']);
    expect(s.push('tail')).toEqual([]);
    expect(s.flush()).toEqual(['tail']);
    expect(s.flush()).toEqual([]);
  });
});

describe('followLog', () => {
  it('delivers lines and reports how the server ended the stream', () => {
    const fake = {} as WebSocket & Record<string, unknown>;
    fake.close = () => {};
    const got: string[] = [];
    let ended: { code: number; reason: string } | undefined;
    followLog('ws://x/log', { onLines: (l) => got.push(...l), onEnd: (e) => (ended = e) }, () => fake);
    fake.onmessage!({ data: 'a\nb' } as MessageEvent);
    fake.onclose!({ code: 1011, reason: 'pod deleted' } as CloseEvent);
    expect(got).toEqual(['a', 'b']);
    expect(ended).toMatchObject({ code: 1011, reason: 'pod deleted' });
  });
});
