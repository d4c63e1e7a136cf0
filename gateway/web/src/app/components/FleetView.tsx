import { MetricsApiError, type AgentListEntry } from '../../lib/index.js';
import { errorMessage, useApi } from '../api.js';
import { formatAge, formatPercent } from '../format.js';
import { usePolling } from '../hooks/usePolling.js';
import { useNow } from '../hooks/useNow.js';
import { StatusBadge } from './StatusBadge.js';

const POLL_MS = 3000;

/** Every agent the token may see, with status and CPU/memory at a glance. */
export function FleetView({ onOpen }: { onOpen: (agentId: string) => void }) {
  const { client, generation } = useApi();
  const now = useNow(1000);
  const { data, error, loading, updatedAt } = usePolling((signal) => client.listAgents({ signal }), POLL_MS, [
    client,
    generation,
  ]);
  const agents = [...(data?.agents ?? [])].sort(
    (a, b) => Number(b.status === 'connected') - Number(a.status === 'connected') || a.agent_id.localeCompare(b.agent_id),
  );
  const connected = agents.filter((a) => a.status === 'connected').length;
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
          <AgentTile key={a.agent_id} agent={a} now={now} onOpen={onOpen} />
        ))}
      </div>
    </main>
  );
}

function AgentTile({ agent, now, onOpen }: { agent: AgentListEntry; now: number; onOpen: (id: string) => void }) {
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
