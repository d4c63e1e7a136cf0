import { useCallback, useEffect, useRef, useState } from 'react';
import { MetricsApiError, type AgentListEntry } from '../../lib/index.js';
import { errorMessage, useApi } from '../api.js';
import { formatAge, formatPercent } from '../format.js';
import { usePolling } from '../hooks/usePolling.js';
import { useNow } from '../hooks/useNow.js';
import { Sparkline } from './Sparkline.js';
import { StatusBadge } from './StatusBadge.js';

const POLL_MS = 3000;
/** CPU values kept per agent for the tiles' sparklines (10 minutes at 3 s). */
const TREND_POINTS = 200;

/** Accumulates each agent's CPU summary over the polls since the page opened. */
function useCpuTrends(agents: AgentListEntry[] | undefined): Map<string, [number, number][]> {
  const trends = useRef(new Map<string, [number, number][]>());
  const [snapshot, setSnapshot] = useState(new Map<string, [number, number][]>());
  useEffect(() => {
    if (!agents) return;
    for (const a of agents) {
      const v = a.metrics?.cpu?.usage_percent;
      const t = a.last_metrics_update;
      if (typeof v !== 'number' || typeof t !== 'number') continue;
      const list = trends.current.get(a.agent_id) ?? [];
      const last = list[list.length - 1];
      if (!last || t / 1000 > last[0]) list.push([t / 1000, v]);
      if (list.length > TREND_POINTS) list.splice(0, list.length - TREND_POINTS);
      trends.current.set(a.agent_id, list);
    }
    setSnapshot(new Map([...trends.current].map(([k, v]) => [k, [...v]])));
  }, [agents]);
  return snapshot;
}

/** Every agent the token may see, with status and CPU/memory at a glance. */
export function FleetView({ onOpen }: { onOpen: (agentId: string) => void }) {
  const { client } = useApi();
  const now = useNow(1000);
  const listAgents = useCallback((signal: AbortSignal) => client.listAgents({ signal }), [client]);
  const { data, error, loading, updatedAt } = usePolling(listAgents, POLL_MS);
  const agents = [...(data?.agents ?? [])].sort(
    (a, b) => Number(b.status === 'connected') - Number(a.status === 'connected') || a.agent_id.localeCompare(b.agent_id),
  );
  const connected = agents.filter((a) => a.status === 'connected').length;
  const trends = useCpuTrends(data?.agents);
  const stale = updatedAt !== null && now - updatedAt > 3 * POLL_MS + 2000;

  return (
    <main className="page">
      <div className="page-head">
        <div>
          <h1>Fleet</h1>
          <p className="muted" data-testid="fleet-summary">
            {data ? `${agents.length} agent${agents.length === 1 ? '' : 's'}, ${connected} connected` : ' '}
          </p>
        </div>
        {data && !error && !stale && <StatusBadge tone="ok">live</StatusBadge>}
        {(error !== null || stale) && data && <StatusBadge tone="warn">updates paused</StatusBadge>}
      </div>
      {loading && !data && <div className="state-box">Loading agents…</div>}
      {error !== null && !(error instanceof MetricsApiError && error.isUnauthorized) && (
        <div className="banner banner-error" data-testid="fleet-error">
          Cannot list agents: {errorMessage(error)}
        </div>
      )}
      {data && agents.length === 0 && (
        <div className="state-box">
          No agents yet. Start <code>nodelink-agent</code> on a host pointed at this broker.
        </div>
      )}
      <div className="fleet-grid">
        {agents.map((a) => (
          <AgentTile key={a.agent_id} agent={a} now={now} onOpen={onOpen} trend={trends.get(a.agent_id) ?? []} />
        ))}
      </div>
    </main>
  );
}

function AgentTile(props: {
  agent: AgentListEntry;
  now: number;
  onOpen: (id: string) => void;
  trend: [number, number][];
}) {
  const { agent, now, onOpen, trend } = props;
  const cpu = agent.metrics?.cpu?.usage_percent;
  const mem = agent.metrics?.memory?.usage_percent;
  const up = agent.status === 'connected';
  return (
    <button
      type="button"
      className={`tile ${up ? '' : 'tile-down'}`}
      onClick={() => onOpen(agent.agent_id)}
      data-testid={`agent-tile-${agent.agent_id}`}
      data-status={agent.status}
    >
      <div className="tile-head">
        <span className="tile-name mono">{agent.agent_id}</span>
        <StatusBadge tone={up ? 'ok' : 'bad'}>{agent.status}</StatusBadge>
      </div>
      <Meter label="CPU" value={cpu} testId={`fleet-cpu-${agent.agent_id}`} />
      <Meter label="Memory" value={mem} testId={`fleet-mem-${agent.agent_id}`} />
      {up && <Sparkline points={trend} color="#4cc9f0" />}
      <div className="tile-foot muted small">updated {formatAge(agent.last_metrics_update ?? null, now)}</div>
    </button>
  );
}

function Meter({ label, value, testId }: { label: string; value: number | undefined; testId: string }) {
  const v = value ?? 0;
  const tone = v > 90 ? 'bad' : v > 70 ? 'warn' : 'ok';
  return (
    <div className="tile-meter">
      <span className="muted">{label}</span>
      <div className="meter">
        <div className={`meter-fill ${tone}`} style={{ width: `${value === undefined ? 0 : Math.min(100, v)}%` }} />
      </div>
      <span className="num" data-testid={testId} data-value={value ?? ''}>
        {formatPercent(value)}
      </span>
    </div>
  );
}
