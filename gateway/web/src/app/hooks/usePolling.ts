/**
 * Calls `load` now and then every `periodMs` while mounted, keeping the last
 * result and error. A 429/503 answer with Retry-After delays the next call
 * accordingly; a 401 is reported to the app (token dialog) and polling pauses
 * until the token changes (`generation`), when it starts again.
 *
 * Polling also starts again when `load` changes: callers make it stable with
 * useCallback, listing what the request depends on.
 */
import { useEffect, useState } from 'react';
import { MetricsApiError } from '../../lib/index.js';
import { useApi } from '../api.js';

export interface Polled<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** Date.now() of the last successful load. */
  updatedAt: number | null;
}

/** The last answer, and the token generation it was got with. */
interface Answer<T> {
  data: T | null;
  error: unknown;
  updatedAt: number | null;
  generation: number | null;
}

export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, periodMs: number): Polled<T> {
  const { generation, reportError } = useApi();
  const [answer, setAnswer] = useState<Answer<T>>({ data: null, error: null, updatedAt: null, generation: null });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctrl = new AbortController();

    const tick = async (): Promise<void> => {
      let delay = periodMs;
      try {
        const data = await load(ctrl.signal);
        if (stopped) return;
        setAnswer({ data, error: null, updatedAt: Date.now(), generation });
      } catch (e) {
        if (stopped) return;
        setAnswer((a) => ({ ...a, error: e, generation }));
        if (reportError(e)) return; // paused until the token changes
        if (e instanceof MetricsApiError && e.retryAfter !== null) delay = Math.max(delay, e.retryAfter * 1000);
        else delay = Math.max(delay, 3000);
      }
      if (!stopped) timer = setTimeout(() => void tick(), delay);
    };
    void tick();
    return () => {
      stopped = true;
      ctrl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [load, periodMs, generation, reportError]);

  // An error got with an older token is not this token's: polling is asking again.
  const current = answer.generation === generation;
  return {
    data: answer.data,
    error: current ? answer.error : null,
    loading: answer.data === null && !current,
    updatedAt: answer.updatedAt,
  };
}
