/**
 * The dashboard shell: top bar, hash routing (`#/` fleet, `#/agents/<id>`
 * one agent; hash routes need no server-side rewrite), token dialog.
 */
import { useEffect, useState } from 'react';
import { ApiProvider, useApi } from './api.js';
import { AgentView } from './components/AgentView.js';
import { FleetView } from './components/FleetView.js';
import { TokenDialog } from './components/TokenDialog.js';

type Route = { view: 'fleet' } | { view: 'agent'; id: string };

function parseHash(hash: string): Route {
  const m = /^#\/agents\/(.+)$/.exec(hash);
  if (m && m[1]) {
    try {
      return { view: 'agent', id: decodeURIComponent(m[1]) };
    } catch {
      return { view: 'fleet' };
    }
  }
  return { view: 'fleet' };
}

function useRoute(): [Route, (r: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const go = (r: Route): void => {
    window.location.hash = r.view === 'agent' ? `#/agents/${encodeURIComponent(r.id)}` : '#/';
  };
  return [route, go];
}

function Shell() {
  const [route, go] = useRoute();
  const { hasToken, setToken } = useApi();
  useEffect(() => {
    document.title = route.view === 'agent' ? `${route.id} · nodelink` : 'Fleet · nodelink';
  }, [route]);
  return (
    <>
      <header className="topbar">
        <a className="brand" href="#/">
          <span className="brand-mark">◆</span> nodelink
        </a>
        <nav>
          <a href="#/" className={route.view === 'fleet' ? 'active' : ''}>
            Fleet
          </a>
        </nav>
        <div className="spacer" />
        {hasToken && (
          <button type="button" className="link small" onClick={() => setToken(null)}>
            Forget token
          </button>
        )}
      </header>
      {route.view === 'fleet' ? (
        <FleetView onOpen={(id) => go({ view: 'agent', id })} />
      ) : (
        <AgentView key={route.id} agentId={route.id} onBack={() => go({ view: 'fleet' })} />
      )}
      <TokenDialog />
    </>
  );
}

export function App() {
  return (
    <ApiProvider>
      <Shell />
    </ApiProvider>
  );
}
