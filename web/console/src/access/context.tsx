// React side of the access cache: <Allowed> shows its children only once the server said the user may do
// the action; useDecision / useDecisions for anything else (navigation, several buttons at once).
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from '../api/client';
import { paths } from '../api/endpoints';
import { ApiError } from '../api/errors';
import { AccessCache, type Decision, type ReviewResult } from './cache';
import { type AccessRequest, accessKey } from './rules';

interface AccessValue {
  cache: AccessCache;
  // Records a refusal (403) of `req`; returns the error for chaining.
  observeError: (req: AccessRequest, e: unknown) => unknown;
}

const AccessContext = createContext<AccessValue | null>(null);

export function serverReview(api: ApiClient) {
  return async (checks: unknown[]) =>
    (await api.post<{ results: ReviewResult[] }>(paths.accessReviews, { checks })).results;
}

export function AccessProvider({ api, children, cache: given }: {
  api: ApiClient;
  children: ReactNode;
  cache?: AccessCache; // tests pass one with a fixed policy
}) {
  const cache = useMemo(() => given ?? new AccessCache(serverReview(api)), [given, api]);
  useEffect(() => api.connection.onReconnect(() => cache.retryFailed()), [api, cache]);
  const observeError = useCallback(
    (req: AccessRequest, e: unknown) => {
      if (e instanceof ApiError && e.status === 403) cache.observe(req, false);
      return e;
    },
    [cache],
  );
  const value = useMemo(() => ({ cache, observeError }), [cache, observeError]);
  return <AccessContext.Provider value={value}>{children}</AccessContext.Provider>;
}

export function useAccess(): AccessValue {
  const v = useContext(AccessContext);
  if (!v) throw new Error('useAccess outside AccessProvider');
  return v;
}

// The decisions for several requests; unanswered ones are asked for (one request for all of them).
export function useDecisions(reqs: AccessRequest[]): Decision[] {
  const { cache } = useAccess();
  useSyncExternalStore(cache.subscribe, () => cache.version);
  const keys = reqs.map(accessKey).join('\n');
  useEffect(() => {
    cache.ensure(reqs);
    // `keys` stands for `reqs` (a new array at every render, asking the same questions)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cache, keys]);
  return reqs.map((r) => cache.decide(r));
}

export function useDecision(req: AccessRequest): Decision {
  return useDecisions([req])[0];
}

// Shows its children only when the server allows `request` (nothing while it is being asked).
export function Allowed({ request, children, fallback = null }: {
  request: AccessRequest;
  children: ReactNode;
  fallback?: ReactNode;
}) {
  const d = useDecision(request);
  return <>{d === 'allow' ? children : fallback}</>;
}
