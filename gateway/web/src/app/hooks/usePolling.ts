/**
 * Calls `load` now and then every `periodMs` while mounted, keeping the last
 * result and error. A 429/503 answer with Retry-After delays the next call
 * accordingly; a 401 is reported to the app (token dialog) and polling pauses
 * until the token changes (the caller passes `generation` in deps).
 */
import { useEffect, useRef, useState } from 'react';
import { MetricsApiError } from '../../lib/index.js';
import { useApi } from '../api.js';

export interface Polled<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** Date.now() of the last successful load. */
  updatedAt: number | null;
}

export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  periodMs: number,
  deps: readonly unknown[],
): Polled<T> {
  const { reportError } = useApi();
  const [state, setState] = useState<Polled<T>>({ data: null, error: null, loading: true, updatedAt: null });
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: s.data === null, error: null }));

    const tick = async (): Promise<void> => {
      let delay = periodMs;
      try {
        const data = await loadRef.current(ctrl.signal);
        if (stopped) return;
        setState({ data, error: null, loading: false, updatedAt: Date.now() });
      } catch (e) {
        if (stopped) return;
        setState((s) => ({ ...s, error: e, loading: false }));
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
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [periodMs, reportError, ...deps]);

  return state;
}
