// What the signed-in user may do, as the server answered it. Components ask for decisions; questions not yet
// answered are gathered for one tick and sent together to POST /api/v1/accessreviews (at most 200 a request),
// decided by atrium's own authoriser (groups, custom roles and cluster roles included). A refusal the server
// gave to a real request (a 403) is remembered too. While a question is unanswered its decision is 'pending':
// controls stay hidden until the server allows them.
import { NetworkError } from '../api/errors';
import { type AccessCheck, type AccessRequest, accessKey, toCheck } from './rules';

export type Decision = 'allow' | 'deny' | 'pending';

export interface ReviewResult {
  allowed: boolean;
  reason?: string;
}

// Sends checks, answers results in the same order. Throws NetworkError when there is no answer (the checks
// are asked again on reconnect) or an ApiError (they are taken as refused).
export type Review = (checks: AccessCheck[]) => Promise<ReviewResult[]>;

export const MAX_CHECKS = 200;

export class AccessCache {
  private known = new Map<string, boolean>();
  private queued = new Map<string, AccessRequest>();
  private inflight = new Set<string>();
  private failed = new Map<string, AccessRequest>();
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private readonly review: Review;
  private readonly policy?: (req: AccessRequest) => boolean;

  // `policy` answers at once (tests and stories); otherwise `review` asks the server.
  constructor(review: Review, policy?: (req: AccessRequest) => boolean) {
    this.review = review;
    this.policy = policy;
  }

  static fixed(policy: (req: AccessRequest) => boolean): AccessCache {
    return new AccessCache(async (checks) => checks.map(() => ({ allowed: false })), policy);
  }

  // A number that changes whenever a decision does (for useSyncExternalStore).
  get version(): number {
    return this.generation;
  }

  decide(req: AccessRequest): Decision {
    if (this.policy) return this.policy(req) ? 'allow' : 'deny';
    const k = this.known.get(accessKey(req));
    if (k === undefined) return 'pending';
    return k ? 'allow' : 'deny';
  }

  // Asks the server about every request whose answer is not known or on its way.
  ensure(reqs: AccessRequest[]): void {
    if (this.policy) return;
    for (const r of reqs) {
      const key = accessKey(r);
      if (this.known.has(key) || this.inflight.has(key) || this.queued.has(key)) continue;
      this.queued.set(key, r);
    }
    if (this.queued.size && this.timer === undefined) this.timer = setTimeout(() => void this.flush(), 0);
  }

  // Records what the server did with a real request (a 403 hides that control from then on).
  observe(req: AccessRequest, allowed: boolean): void {
    if (this.known.get(accessKey(req)) === allowed) return;
    this.known.set(accessKey(req), allowed);
    this.changed();
  }

  // After an outage: asks again what could not be asked.
  retryFailed(): void {
    const again = [...this.failed.values()];
    this.failed.clear();
    this.ensure(again);
  }

  // After a change of the user's roles is known (a member added or removed): forget every answer.
  clear(): void {
    this.known.clear();
    this.changed();
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => {
      this.listeners.delete(l);
    };
  };

  private changed(): void {
    this.generation++;
    for (const l of [...this.listeners]) l();
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.queued.entries()];
    this.queued.clear();
    for (const [key] of batch) this.inflight.add(key);
    const chunks: [string, AccessRequest][][] = [];
    for (let i = 0; i < batch.length; i += MAX_CHECKS) chunks.push(batch.slice(i, i + MAX_CHECKS));
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const results = await this.review(chunk.map(([, r]) => toCheck(r)));
          chunk.forEach(([key], i) => this.known.set(key, results[i]?.allowed === true));
        } catch (e) {
          const network = e instanceof NetworkError;
          for (const [key, r] of chunk) {
            if (network) this.failed.set(key, r);
            else this.known.set(key, false); // the server refused to answer: show nothing
          }
        } finally {
          for (const [key] of chunk) this.inflight.delete(key);
        }
      }),
    );
    this.changed();
  }
}
