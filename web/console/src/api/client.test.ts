import { describe, expect, it, vi } from 'vitest';
import { ApiClient, buildQuery } from './client';
import { ConnectionMonitor } from './connection';
import { ApiError, NetworkError, SessionExpiredError, errorFromResponse } from './errors';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(text, { status, headers: { 'Content-Type': 'application/json', ...headers } }));
}

const invalid = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: 'Workspace "Bad" is invalid',
  reason: 'Invalid',
  code: 422,
  details: {
    causes: [
      { field: 'metadata.name', message: 'must be a DNS-1123 label' },
      { field: 'spec.clusters[1]', message: 'cluster "x" does not exist' },
      { field: 'metadata.name', message: 'a second message for the same field' },
      { message: 'a cause without a field' },
    ],
  },
};

describe('errorFromResponse', () => {
  it('maps a Status body to an ApiError with its message, reason and causes', () => {
    const e = errorFromResponse(422, JSON.stringify(invalid), new Headers({ 'X-Request-Id': 'req-1' }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).not.toBeInstanceOf(SessionExpiredError);
    expect(e.status).toBe(422);
    expect(e.reason).toBe('Invalid');
    expect(e.message).toBe('Workspace "Bad" is invalid');
    expect(e.requestId).toBe('req-1');
    expect(e.fieldErrors()).toEqual({
      'metadata.name': 'must be a DNS-1123 label',
      'spec.clusters[1]': 'cluster "x" does not exist',
    });
    expect(e.unplacedCauses(['metadata.name']).map((c) => c.message)).toEqual([
      'cluster "x" does not exist',
      'a cause without a field',
    ]);
  });

  it('keeps a useful message when the body is not a Status (a proxy page, an empty body)', () => {
    const html = errorFromResponse(502, '<html><body>Bad gateway</body></html>');
    expect(html.message).toBe('HTTP 502');
    expect(html.reason).toBe('InternalError');
    expect(errorFromResponse(404, '').message).toBe('HTTP 404');
    expect(errorFromResponse(404, '').reason).toBe('NotFound');
    expect(errorFromResponse(400, 'plain words').message).toBe('plain words');
  });

  it('ignores malformed causes and reads Retry-After', () => {
    const e = errorFromResponse(
      429,
      JSON.stringify({ message: 'slow down', details: { causes: [{ field: 'x' }, 'junk', { message: 'ok' }] } }),
      new Headers({ 'Retry-After': '17' }),
    );
    expect(e.causes).toEqual([{ message: 'ok' }]);
    expect(e.retryAfterSeconds).toBe(17);
    expect(e.reason).toBe('TooManyRequests');
  });

  it('turns 401 into SessionExpiredError', () => {
    expect(errorFromResponse(401, JSON.stringify({ message: 'session expired' }))).toBeInstanceOf(SessionExpiredError);
  });
});

describe('ApiClient', () => {
  it('sends list query parameters by the API conventions and parses the list', async () => {
    const fetch = answer(200, { items: [{ metadata: { name: 'a' } }], total: 7 });
    const api = new ApiClient({ fetch });
    const r = await api.list('/api/v1/workspaces', { page: 2, limit: 5, sortBy: 'name', ascending: true, name: 'mer', labelSelector: 'a in (x,y)' });
    expect(r.total).toBe(7);
    const url = fetch.mock.calls[0][0] as unknown as string;
    expect(url).toBe('/api/v1/workspaces?page=2&limit=5&sortBy=name&ascending=true&name=mer&labelSelector=a+in+%28x%2Cy%29');
  });

  it('throws the Status as ApiError on failure', async () => {
    const api = new ApiClient({ fetch: answer(422, invalid) });
    await expect(api.post('/api/v1/workspaces', {})).rejects.toMatchObject({ status: 422, reason: 'Invalid' });
  });

  it('reports an expired session on 401, but not for anonymous requests such as login', async () => {
    const onSessionExpired = vi.fn();
    const api = new ApiClient({ fetch: answer(401, { message: 'expired' }), onSessionExpired });
    await expect(api.get('/api/v1/tokens')).rejects.toBeInstanceOf(SessionExpiredError);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    await expect(api.post('/api/v1/login', {}, { anonymous: true })).rejects.toBeInstanceOf(SessionExpiredError);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
  });

  it('turns a failed fetch into NetworkError and marks the connection lost', async () => {
    const connection = new ConnectionMonitor({ probe: async () => false, delaysMs: [60_000] });
    const api = new ApiClient({ fetch: vi.fn(async () => { throw new TypeError('Failed to fetch'); }), connection });
    await expect(api.get('/api/v1/workspaces')).rejects.toBeInstanceOf(NetworkError);
    expect(connection.current.online).toBe(false);
    connection.dispose();
  });

  it('buildQuery skips empty values and repeats arrays', () => {
    expect(buildQuery({ a: undefined, b: '', c: 0, d: false, e: ['x', 'y'] })).toBe('?c=0&d=false&e=x&e=y');
    expect(buildQuery({})).toBe('');
  });
});

describe('ConnectionMonitor', () => {
  it('probes until the server answers, then reports online and tells reconnect listeners', async () => {
    vi.useFakeTimers();
    try {
      let up = false;
      const probe = vi.fn(async () => up);
      const m = new ConnectionMonitor({ probe, delaysMs: [100, 200] });
      const states: boolean[] = [];
      m.subscribe((s) => states.push(s.online));
      const reconnected = vi.fn();
      m.onReconnect(reconnected);
      m.reportFailure();
      expect(m.current.online).toBe(false);
      await vi.advanceTimersByTimeAsync(99);
      expect(probe).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(probe).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(200);
      expect(probe).toHaveBeenCalledTimes(2);
      expect(reconnected).not.toHaveBeenCalled();
      up = true;
      await vi.advanceTimersByTimeAsync(200);
      expect(m.current.online).toBe(true);
      expect(reconnected).toHaveBeenCalledTimes(1);
      expect(states[states.length - 1]).toBe(true);
      m.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a successful request ends the outage at once', () => {
    const m = new ConnectionMonitor({ probe: async () => false, delaysMs: [60_000] });
    const reconnected = vi.fn();
    m.onReconnect(reconnected);
    m.reportFailure();
    m.reportSuccess();
    expect(m.current.online).toBe(true);
    expect(reconnected).toHaveBeenCalledTimes(1);
    m.dispose();
  });
});
