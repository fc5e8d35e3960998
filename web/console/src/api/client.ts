// The typed fetch wrapper every page uses. Same-origin requests carry the HttpOnly session cookie that
// POST /api/v1/login set; the browser adds the Origin header atrium requires on cookie-authenticated writes.
// Failures become ApiError (a Status body), SessionExpiredError (401, the app returns to the login page)
// or NetworkError (no answer: the connection monitor shows its banner and retries).

import { ConnectionMonitor } from './connection';
import { ApiError, NetworkError, SessionExpiredError, errorFromResponse } from './errors';

export interface ListResult<T> {
  items: T[];
  total: number;
}

// Query parameters of every list (docs/api-conventions.md).
export interface ListQuery {
  page?: number;
  limit?: number;
  sortBy?: 'name' | 'creationTimestamp';
  ascending?: boolean;
  name?: string;
  labelSelector?: string;
}

export type QueryValue = string | number | boolean | undefined | null | Array<string | number>;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  // A body sent as it is (YAML for the apply route), with `contentType`.
  text?: string;
  contentType?: string;
  signal?: AbortSignal;
  // A 401 here is an answer about the request itself (wrong password), not the end of the session.
  anonymous?: boolean;
}

export interface ApiClientOptions {
  fetch?: typeof fetch;
  connection?: ConnectionMonitor;
  onSessionExpired?: (error: SessionExpiredError) => void;
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

// One path segment, encoded (names never contain '/', but a hostile one must not change the path).
export function seg(s: string): string {
  return encodeURIComponent(s);
}

export class ApiClient {
  private readonly fetchImpl: typeof fetch;
  readonly connection: ConnectionMonitor;
  private onSessionExpired?: (error: SessionExpiredError) => void;

  constructor(options: ApiClientOptions = {}) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.connection = options.connection ?? new ConnectionMonitor();
    this.onSessionExpired = options.onSessionExpired;
  }

  setSessionExpiredHandler(handler: ((error: SessionExpiredError) => void) | undefined): void {
    this.onSessionExpired = handler;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | undefined;
    if (options.text !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'text/plain';
      body = options.text;
    } else if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      body = JSON.stringify(options.body);
    }
    const { status, text } = await this.send(path, options, { method, headers, body });
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(status, 'the server sent an answer that is not JSON', 'InternalError');
    }
  }

  // A text/plain answer (a pod's log without follow).
  async text(path: string, options: RequestOptions = {}): Promise<string> {
    return (await this.send(path, options, { method: 'GET', headers: { Accept: 'text/plain' } })).text;
  }

  // One request: the connection monitor told how it went, a refusal thrown as the server's Status (a session that
  // expired reported first, unless the request is anonymous), the answer's status and text returned.
  private async send(
    path: string,
    options: RequestOptions,
    init: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<{ status: number; text: string }> {
    let response: Response;
    try {
      response = await this.fetchImpl(path + buildQuery(options.query), {
        ...init,
        credentials: 'same-origin',
        signal: options.signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      this.connection.reportFailure();
      throw new NetworkError(e instanceof Error ? e.message : String(e));
    }
    this.connection.reportSuccess();
    const text = await response.text();
    if (!response.ok) {
      const error = errorFromResponse(response.status, text, response.headers);
      if (error instanceof SessionExpiredError && !options.anonymous) this.onSessionExpired?.(error);
      throw error;
    }
    return { status: response.status, text };
  }

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  list<T>(path: string, query: ListQuery & Record<string, QueryValue> = {}, signal?: AbortSignal) {
    return this.request<ListResult<T>>('GET', path, { query, signal });
  }

  post<T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  put<T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  patch<T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PATCH', path, {
      contentType: 'application/merge-patch+json',
      ...options,
      body,
    });
  }

  delete<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }
}
