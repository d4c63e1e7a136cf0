/**
 * The dashboard's connection to the gateway: one MetricsClient for the page
 * (base `/api`, or `?api=` in the page URL for development), the token kept
 * in localStorage, and a shared "needs a token" flag.
 *
 * Any component that gets a 401 calls `reportError(e)`; the app then shows
 * the token dialog. Setting a token bumps `generation`, which hooks use as a
 * dependency so everything reloads with the new credentials.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { MetricsApiError, MetricsClient } from '../lib/index.js';

const TOKEN_KEY = 'nodelink.token';

export interface Api {
  client: MetricsClient;
  /** Changes whenever the token changes: a dependency for data hooks. */
  generation: number;
  needsToken: boolean;
  /** Why the token dialog is shown (401 or 403 message). */
  authMessage: string | null;
  hasToken: boolean;
  setToken: (token: string | null) => void;
  /** Inspect an error: a 401 opens the token dialog. Returns true when it was an auth error. */
  reportError: (e: unknown) => boolean;
}

const ApiContext = createContext<Api | null>(null);

function baseURL(): string {
  const p = new URLSearchParams(window.location.search).get('api');
  return p && p.length > 0 ? p : '/api';
}

function loadToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function ApiProvider({ children }: { children: ReactNode }) {
  const [token, setTokenState] = useState<string | null>(loadToken);
  const [generation, setGeneration] = useState(0);
  const [needsToken, setNeedsToken] = useState(false);
  const [authMessage, setAuthMessage] = useState<string | null>(null);
  const client = useMemo(() => new MetricsClient(baseURL(), { token }), [token]);

  const setToken = useCallback((t: string | null) => {
    const v = t && t.trim().length > 0 ? t.trim() : null;
    try {
      if (v) window.localStorage.setItem(TOKEN_KEY, v);
      else window.localStorage.removeItem(TOKEN_KEY);
    } catch {
      /* storage disabled: keep the token for this page only */
    }
    setTokenState(v);
    setNeedsToken(false);
    setAuthMessage(null);
    setGeneration((g) => g + 1);
  }, []);

  const reportError = useCallback((e: unknown) => {
    if (e instanceof MetricsApiError && e.status === 401) {
      setAuthMessage(e.body?.error.message ?? null);
      setNeedsToken(true);
      return true;
    }
    return false;
  }, []);

  const api = useMemo<Api>(
    () => ({ client, generation, needsToken, authMessage, hasToken: token !== null, setToken, reportError }),
    [client, generation, needsToken, authMessage, token, setToken, reportError],
  );
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

/** A human message for any error the client throws. */
export function errorMessage(e: unknown): string {
  if (e instanceof MetricsApiError) {
    const m = e.body?.error.message;
    return m ? `${m} (HTTP ${e.status})` : `HTTP ${e.status}`;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
