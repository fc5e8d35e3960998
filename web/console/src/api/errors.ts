// Errors the API client raises. Every failed answer of atrium is a Kubernetes Status body
// (docs/api-conventions.md); ApiError carries its message, reason and field causes so a form can show each
// cause next to the field it names.

export interface StatusCause {
  field?: string;
  message: string;
  reason?: string;
}

export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: StatusCause[] };
}

export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly causes: StatusCause[];
  readonly requestId?: string;
  readonly retryAfterSeconds?: number;
  // The whole Status body (some answers add fields to it, e.g. the apply route's per-document "items").
  body?: Record<string, unknown>;

  constructor(
    status: number,
    message: string,
    reason: string,
    causes: StatusCause[] = [],
    requestId?: string,
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.causes = causes;
    this.requestId = requestId;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get forbidden(): boolean {
    return this.status === 403;
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  // The first message for each field the server named ({"spec.replicas": "must be ..."}).
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of this.causes) {
      if (c.field && !(c.field in out)) out[c.field] = c.message;
    }
    return out;
  }

  // Causes that name no field, or a field the caller does not show: they belong next to the action.
  unplacedCauses(shownFields: Iterable<string>): StatusCause[] {
    const shown = new Set(shownFields);
    return this.causes.filter((c) => !c.field || !shown.has(c.field));
  }
}

// 401: no session, or the session expired or was revoked. The app goes back to the login page.
export class SessionExpiredError extends ApiError {
  constructor(message: string, requestId?: string) {
    super(401, message, 'Unauthorized', [], requestId);
    this.name = 'SessionExpiredError';
  }
}

// The server could not be reached at all (no HTTP answer). The connection banner takes over.
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

function reasonFor(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return 'Conflict';
    case 412:
      return 'PreconditionFailed';
    case 413:
      return 'RequestEntityTooLarge';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 503:
      return 'ServiceUnavailable';
    default:
      return status >= 500 ? 'InternalError' : 'Unknown';
  }
}

function isCause(v: unknown): v is StatusCause {
  return typeof v === 'object' && v !== null && typeof (v as StatusCause).message === 'string';
}

// Builds the error for a non-2xx answer from its status, body text and headers. A body that is not a Status
// (a proxy's HTML page, an empty body) still gives an error with a useful message.
export function errorFromResponse(status: number, bodyText: string, headers?: Headers): ApiError {
  const requestId = headers?.get('X-Request-Id') ?? undefined;
  const retry = headers?.get('Retry-After');
  const retryAfter = retry && /^\d+$/.test(retry) ? Number(retry) : undefined;
  let body: StatusBody | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as StatusBody;
  } catch {
    body = undefined;
  }
  const message =
    (body && typeof body.message === 'string' && body.message) ||
    (bodyText && !bodyText.trimStart().startsWith('<') ? bodyText.slice(0, 300) : `HTTP ${status}`);
  const reason = (body && typeof body.reason === 'string' && body.reason) || reasonFor(status);
  const causes = Array.isArray(body?.details?.causes) ? body.details.causes.filter(isCause) : [];
  if (status === 401) return new SessionExpiredError(message, requestId);
  const error = new ApiError(status, message, reason, causes, requestId, retryAfter);
  if (body) error.body = body as Record<string, unknown>;
  return error;
}
