/**
 * Errors thrown by MetricsClient.
 *
 *   MetricsApiError      the gateway answered with a non-2xx status; carries
 *                        the status, the gateway's JSON error body when it
 *                        sent one, its failure code (control requests) and
 *                        Retry-After (seconds) for 409/429/503.
 *   MetricsNetworkError  no HTTP answer at all (connection refused, DNS,
 *                        CORS, aborted by the caller's signal is re-thrown
 *                        unchanged as the platform's AbortError instead).
 *   MetricsProtocolError a 2xx answer whose body is not the expected JSON.
 *
 * All three extend MetricsError, so `catch (e) { if (e instanceof MetricsError) ... }`
 * catches exactly the client's own failures.
 */
import type { ApiErrorBody } from './types.js';

export class MetricsError extends Error {
  /** The request URL (without the token). */
  readonly url: string;
  constructor(message: string, url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsError';
    this.url = url;
  }
}

export class MetricsApiError extends MetricsError {
  readonly status: number;
  /** The gateway's `{"error": {...}}` body, or null when the body was not one. */
  readonly body: ApiErrorBody | null;
  /** Seconds from the Retry-After header (429, 503), when given. */
  readonly retryAfter: number | null;

  constructor(status: number, body: ApiErrorBody | null, url: string, retryAfter: number | null) {
    super(body?.error.message ?? `HTTP ${status}`, url);
    this.name = 'MetricsApiError';
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }

  /**
   * Why a control request failed ('disconnected', 'timeout', ...; see
   * FailureCode), or null when the answer carries no code. Act on this, not on
   * the message.
   */
  get code(): string | null {
    return this.body?.error.code ?? null;
  }

  /** 401: a token is missing or not accepted. */
  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  /** 403: the token may not see this agent. */
  get isForbidden(): boolean {
    return this.status === 403;
  }

  /** 404: unknown agent or route. */
  get isNotFound(): boolean {
    return this.status === 404;
  }
}

export class MetricsNetworkError extends MetricsError {
  constructor(url: string, cause: unknown) {
    super(`network error: ${cause instanceof Error ? cause.message : String(cause)}`, url, { cause });
    this.name = 'MetricsNetworkError';
  }
}

export class MetricsProtocolError extends MetricsError {
  readonly status: number;
  constructor(message: string, url: string, status: number) {
    super(message, url);
    this.name = 'MetricsProtocolError';
    this.status = status;
  }
}

/** True when v has the `{"error": {"status": number, "message": string}}` shape. */
export function isApiErrorBody(v: unknown): v is ApiErrorBody {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = (v as { error: unknown }).error;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { status?: unknown }).status === 'number' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}
