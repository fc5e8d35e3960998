import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client';
import { ConnectionMonitor } from '../api/connection';
import { NetworkError } from '../api/errors';
import { serverReview } from './context';
import { AccessCache } from './cache';
import { type AccessRequest, clusterScope, platformScope, projectScope, toCheck, workspaceScope } from './rules';

const tick = () => new Promise((r) => setTimeout(r, 0));
const req = (verb: string, resource: string, scope = projectScope('ws', 'p', 'sandbox'), group = 'apps'): AccessRequest => ({ verb, group, resource, scope });

describe('toCheck', () => {
  it('splits the subresource and names the scope as the server wants it', () => {
    expect(toCheck(req('create', 'pods/exec', projectScope('ws', 'p', 'sandbox'), ''))).toEqual({
      verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec',
      scope: { workspace: 'ws', project: 'p', cluster: 'sandbox' },
    });
    expect(toCheck(req('list', 'users', platformScope, 'iam.atrium.io'))).toEqual({ verb: 'list', apiGroup: 'iam.atrium.io', resource: 'users' });
    expect(toCheck(req('get', 'nodes', clusterScope('local'), '')).scope).toEqual({ cluster: 'local' });
    expect(toCheck({ ...req('delete', 'projects', workspaceScope('ws'), 'tenant.atrium.io'), name: 'p' })).toMatchObject({
      name: 'p', scope: { workspace: 'ws' },
    });
  });
});

describe('AccessCache', () => {
  it('gathers the questions of one tick into one review, and asks each once', async () => {
    const review = vi.fn(async (checks: unknown[]) => checks.map((_, i) => ({ allowed: i % 2 === 0 })));
    const cache = new AccessCache(review);
    const a = req('create', 'deployments');
    const b = req('delete', 'deployments');
    cache.ensure([a]);
    cache.ensure([b, a]);
    expect(cache.decide(a)).toBe('pending');
    await tick();
    await tick();
    expect(review).toHaveBeenCalledTimes(1);
    expect(cache.decide(a)).toBe('allow');
    expect(cache.decide(b)).toBe('deny');
    cache.ensure([a, b]);
    await tick();
    expect(review).toHaveBeenCalledTimes(1);
  });

  it('sends at most 200 checks a request', async () => {
    const sizes: number[] = [];
    const cache = new AccessCache(async (checks) => {
      sizes.push(checks.length);
      return checks.map(() => ({ allowed: true }));
    });
    cache.ensure(Array.from({ length: 450 }, (_, i) => ({ ...req('get', 'pods'), name: `pod-${i}` })));
    await tick();
    await tick();
    expect(sizes).toEqual([200, 200, 50]);
  });

  it('asks again after an outage, and takes a refused review as "no"', async () => {
    let fail: Error | null = new NetworkError('Failed to fetch');
    const cache = new AccessCache(async (checks) => {
      if (fail) throw fail;
      return checks.map(() => ({ allowed: true }));
    });
    const a = req('create', 'deployments');
    cache.ensure([a]);
    await tick();
    await tick();
    expect(cache.decide(a)).toBe('pending');
    fail = null;
    cache.retryFailed();
    await tick();
    await tick();
    expect(cache.decide(a)).toBe('allow');
    fail = new Error('400');
    const b = req('patch', 'deployments');
    cache.ensure([b]);
    await tick();
    await tick();
    expect(cache.decide(b)).toBe('deny');
  });

  it('remembers a refusal the server gave to a real request', () => {
    const cache = AccessCache.fixed(() => false);
    expect(cache.decide(req('get', 'pods'))).toBe('deny');
    const live = new AccessCache(async (c) => c.map(() => ({ allowed: true })));
    const listener = vi.fn();
    live.subscribe(listener);
    live.observe(req('delete', 'deployments'), false);
    expect(live.decide(req('delete', 'deployments'))).toBe('deny');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('serverReview posts the checks to /api/v1/accessreviews', async () => {
    const fetch = vi.fn(async (_i: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify({ results: [{ allowed: true }] }), { status: 200 }));
    const api = new ApiClient({ fetch, connection: new ConnectionMonitor({ probe: async () => true }) });
    const r = await serverReview(api)([toCheck(req('get', 'pods'))]);
    expect(r).toEqual([{ allowed: true }]);
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/accessreviews');
    expect(JSON.parse(String(fetch.mock.calls[0][1]!.body))).toEqual({ checks: [toCheck(req('get', 'pods'))] });
  });
});
