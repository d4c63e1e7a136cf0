/**
 * MetricsClient: the nodelink gateway's HTTP API from TypeScript.
 *
 *   const client = new MetricsClient('/api', { token });
 *   const agents = await client.listAgents();
 *   const sub = client.subscribeMetrics('web-1', { onMetrics: (m) => draw(m) }, { interval: 5 });
 *   ...
 *   sub.close();
 *
 * Design:
 *  - One private `request()` does every fetch: it adds `Authorization: Bearer`
 *    when a token is set, turns non-2xx answers into MetricsApiError (with the
 *    gateway's JSON error body and Retry-After) and unreadable bodies into
 *    MetricsProtocolError. It never retries: the caller decides (Retry-After is
 *    on the error).
 *  - EventSource cannot send headers, so streams carry the token as the
 *    `token=` query parameter, as the gateway accepts.
 *  - `fetch` and `EventSource` are injectable (options), so the same client
 *    runs in browsers and in Node (pass the `eventsource` package there).
 *  - The base URL may be relative ('/api') in a browser; it is used verbatim,
 *    without a trailing slash.
 */
import {
  MetricsApiError,
  MetricsNetworkError,
  MetricsProtocolError,
  isApiErrorBody,
} from './errors.js';
import type {
  AgentList,
  HealthStatus,
  MetricsHistory,
  MetricsQuery,
  MetricsSnapshot,
  StreamControlRequest,
  StreamControlResponse,
  SystemInfo,
} from './types.js';

/** The subset of the EventSource constructor the client uses. */
export type EventSourceConstructor = new (url: string, init?: EventSourceInit) => EventSource;

export interface MetricsClientOptions {
  /** Bearer token; may be changed later with `client.token = ...`. */
  token?: string | null;
  /** fetch implementation (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** EventSource implementation (default: globalThis.EventSource). */
  EventSource?: EventSourceConstructor;
}

export interface SystemInfoOptions {
  hardware?: boolean;
  software?: boolean;
  network?: boolean;
  /** Ask the agent live through the broker instead of the stored copy. */
  refresh?: boolean;
  signal?: AbortSignal;
}

export interface MetricsStreamOptions {
  /** Seconds between events (the gateway never sends faster than the agent samples). */
  interval?: number;
  /** Metric selectors (`cpu`, `memory.usage_percent`, `net.eth0`, ...): only these fields are sent. */
  metrics?: string[];
  /** Resume after this event id (sample timestamp in ms): the gateway replays what was missed. */
  lastEventId?: string | number;
}

export interface MetricsSubscriptionHandlers {
  /** One sample; eventId is the SSE `id:` (the sample timestamp in ms). */
  onMetrics: (sample: MetricsSnapshot, eventId: string) => void;
  /** The stream is (re)connected. */
  onOpen?: () => void;
  /**
   * The connection failed or dropped (the EventSource retries by itself while
   * `source.readyState` is CONNECTING), or an event was not valid JSON.
   */
  onError?: (error: Event | MetricsProtocolError) => void;
}

export interface MetricsSubscription {
  readonly source: EventSource;
  /** Id of the last event received, or null before the first one. */
  readonly lastEventId: string | null;
  close(): void;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export class MetricsClient {
  readonly baseURL: string;
  token: string | null;
  private readonly fetchFn: typeof fetch;
  private readonly EventSourceCtor: EventSourceConstructor | undefined;

  constructor(baseURL: string, options: MetricsClientOptions = {}) {
    this.baseURL = baseURL.replace(/\/+$/, '');
    this.token = options.token ?? null;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('MetricsClient: no fetch implementation');
    this.fetchFn = f.bind(globalThis);
    this.EventSourceCtor =
      options.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
  }

  // ---------------------------------------------------------------- REST

  /** GET /agents/{id}/system */
  getSystemInfo(agentId: string, options: SystemInfoOptions = {}): Promise<SystemInfo> {
    const q = new URLSearchParams();
    for (const k of ['hardware', 'software', 'network', 'refresh'] as const) {
      const v = options[k];
      if (v !== undefined) q.set(k, String(v));
    }
    return this.request<SystemInfo>('GET', `${agentPath(agentId)}/system`, q, undefined, options.signal);
  }

  /** GET /agents/{id}/metrics: the latest sample. */
  getCurrentMetrics(agentId: string, options: RequestOptions = {}): Promise<MetricsSnapshot> {
    return this.request<MetricsSnapshot>('GET', `${agentPath(agentId)}/metrics`, undefined, undefined, options.signal);
  }

  /** GET /agents/{id}/metrics/history */
  getHistoricalMetrics(agentId: string, query: MetricsQuery, options: RequestOptions = {}): Promise<MetricsHistory> {
    const q = new URLSearchParams();
    if (query.metrics.length > 0) q.set('metrics', query.metrics.join(','));
    const start = query.start ?? query.startTime;
    const end = query.end ?? query.endTime;
    if (start !== undefined) q.set('start', String(Math.floor(start)));
    if (end !== undefined) q.set('end', String(Math.floor(end)));
    if (query.interval !== undefined) q.set('interval', String(Math.floor(query.interval)));
    if (query.maxPoints !== undefined) q.set('max_points', String(Math.floor(query.maxPoints)));
    return this.request<MetricsHistory>('GET', `${agentPath(agentId)}/metrics/history`, q, undefined, options.signal);
  }

  /** GET /metrics/agents: every agent this token may see. */
  listAgents(options: RequestOptions = {}): Promise<AgentList> {
    return this.request<AgentList>('GET', '/metrics/agents', undefined, undefined, options.signal);
  }

  /** POST /agents/{id}/metrics/stream: start/stop the agent's sampling or change its interval. */
  controlStream(
    agentId: string,
    req: StreamControlRequest,
    options: RequestOptions = {},
  ): Promise<StreamControlResponse> {
    const body: Record<string, unknown> = { action: req.action };
    if (req.intervalSeconds !== undefined) body['interval_seconds'] = req.intervalSeconds;
    if (req.metrics !== undefined) body['metrics'] = req.metrics;
    return this.request<StreamControlResponse>(
      'POST',
      `${agentPath(agentId)}/metrics/stream`,
      undefined,
      body,
      options.signal,
    );
  }

  /** GET /healthz (liveness). */
  health(options: RequestOptions = {}): Promise<HealthStatus> {
    return this.request<HealthStatus>('GET', '/healthz', undefined, undefined, options.signal);
  }

  /** GET /readyz (broker subscription and Redis reachable). */
  ready(options: RequestOptions = {}): Promise<HealthStatus> {
    return this.request<HealthStatus>('GET', '/readyz', undefined, undefined, options.signal);
  }

  // ---------------------------------------------------------------- SSE

  /** URL of the SSE stream (with `token=` when a token is set). */
  streamURL(agentId: string, options: MetricsStreamOptions = {}): string {
    const q = new URLSearchParams();
    if (options.interval !== undefined) q.set('interval', String(options.interval));
    if (options.metrics && options.metrics.length > 0) q.set('metrics', options.metrics.join(','));
    if (options.lastEventId !== undefined) q.set('last_event_id', String(options.lastEventId));
    if (this.token) q.set('token', this.token);
    return this.url(`${agentPath(agentId)}/metrics/stream`, q);
  }

  /**
   * GET /agents/{id}/metrics/stream as a raw EventSource (the specification's
   * signature). Events are named `metrics`: listen with
   * `es.addEventListener('metrics', ...)` (onmessage sees only unnamed events).
   */
  streamMetrics(agentId: string, intervalOrOptions: number | MetricsStreamOptions = 5): EventSource {
    const options = typeof intervalOrOptions === 'number' ? { interval: intervalOrOptions } : intervalOrOptions;
    const ES = this.EventSourceCtor;
    if (!ES) throw new TypeError('MetricsClient: no EventSource implementation (pass options.EventSource)');
    return new ES(this.streamURL(agentId, options));
  }

  /** streamMetrics with parsed, typed events. */
  subscribeMetrics(
    agentId: string,
    handlers: MetricsSubscriptionHandlers,
    options: MetricsStreamOptions = {},
  ): MetricsSubscription {
    const source = this.streamMetrics(agentId, options);
    const url = this.streamURL(agentId, { ...options, lastEventId: undefined });
    let last: string | null = options.lastEventId !== undefined ? String(options.lastEventId) : null;
    const onEvent = (ev: Event): void => {
      const me = ev as MessageEvent<string>;
      let sample: unknown;
      try {
        sample = JSON.parse(me.data);
      } catch {
        handlers.onError?.(new MetricsProtocolError('SSE event data is not JSON', redact(url), 200));
        return;
      }
      if (typeof sample !== 'object' || sample === null || typeof (sample as { timestamp?: unknown }).timestamp !== 'number') {
        handlers.onError?.(new MetricsProtocolError('SSE event has no numeric timestamp', redact(url), 200));
        return;
      }
      last = me.lastEventId || String((sample as MetricsSnapshot).timestamp);
      handlers.onMetrics(sample as MetricsSnapshot, last);
    };
    source.addEventListener('metrics', onEvent);
    source.addEventListener('open', () => handlers.onOpen?.());
    source.addEventListener('error', (ev) => handlers.onError?.(ev));
    return {
      source,
      get lastEventId() {
        return last;
      },
      close() {
        source.removeEventListener('metrics', onEvent);
        source.close();
      },
    };
  }

  // ---------------------------------------------------------------- plumbing

  private url(path: string, query?: URLSearchParams): string {
    const qs = query ? query.toString() : '';
    return `${this.baseURL}${path}${qs.length > 0 ? `?${qs}` : ''}`;
  }

  private async request<T>(
    method: string,
    path: string,
    query: URLSearchParams | undefined,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const url = this.url(path, query);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers['Authorization'] = `Bearer ${this.token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (signal) init.signal = signal;

    let res: Response;
    try {
      res = await this.fetchFn(url, init);
    } catch (e) {
      if (isAbort(e)) throw e;
      throw new MetricsNetworkError(url, e);
    }
    const text = await res.text().catch((e: unknown) => {
      if (isAbort(e)) throw e;
      throw new MetricsNetworkError(url, e);
    });
    let json: unknown = undefined;
    let parsed = false;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    if (!res.ok) {
      const ra = res.headers.get('Retry-After');
      const retryAfter = ra !== null && /^\d+$/.test(ra.trim()) ? Number(ra.trim()) : null;
      throw new MetricsApiError(res.status, parsed && isApiErrorBody(json) ? json : null, url, retryAfter);
    }
    if (!parsed || typeof json !== 'object' || json === null) {
      throw new MetricsProtocolError(`expected a JSON object from ${method} ${path}`, url, res.status);
    }
    return json as T;
  }
}

function agentPath(agentId: string): string {
  if (agentId.length === 0) throw new TypeError('MetricsClient: empty agent id');
  return `/agents/${encodeURIComponent(agentId)}`;
}

function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

function redact(url: string): string {
  return url.replace(/([?&]token=)[^&]*/, '$1***');
}
