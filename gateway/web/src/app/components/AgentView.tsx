/**
 * One agent: system information, live charts (SSE) joined to history for the
 * chosen time range, processes, and the sampling interval control.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { flattenSample, type SystemInfo } from '../../lib/index.js';
import { errorMessage, useApi } from '../api.js';
import { formatAge } from '../format.js';
import { useHistory } from '../hooks/useHistory.js';
import { useLiveMetrics } from '../hooks/useLiveMetrics.js';
import { useNow } from '../hooks/useNow.js';
import { usePolling } from '../hooks/usePolling.js';
import { CpuUsageChart } from './CpuUsageChart.js';
import { DiskUsageChart } from './DiskUsageChart.js';
import { IntervalControl } from './IntervalControl.js';
import { LoadChart } from './LoadChart.js';
import { MemoryUsageChart } from './MemoryUsageChart.js';
import { NetworkChart } from './NetworkChart.js';
import { StatusBadge, type Tone } from './StatusBadge.js';
import { SystemInfoCard } from './SystemInfoCard.js';
import { TaskProcessesTable } from './TaskProcessesTable.js';
import { TIME_RANGES, TimeRangePicker } from './TimeRangePicker.js';
import type { SeriesView } from './view.js';

/** Metric groups the charts draw (history is requested for these only). */
const CHARTED = /^(cpu\.(usage|user|system|iowait)_percent|cpu\.core\.\d+\.usage_percent|memory\.(usage|swap_usage)_percent|disk\..+\.(read|write)_bytes_per_sec|net\..+\.bytes_(recv|sent)_per_sec|load\.load(1|5|15))$/;

interface SysAnswer {
  /** The request it answers. */
  agentId: string;
  generation: number;
  info: SystemInfo | null;
  error: string | null;
}

export function AgentView({ agentId, onBack }: { agentId: string; onBack: () => void }) {
  const { client, generation, reportError } = useApi();
  const now = useNow(1000);
  const [rangeKey, setRangeKey] = useState('15m');
  const range = TIME_RANGES.find((r) => r.key === rangeKey) ?? TIME_RANGES[1]!;
  const live = useLiveMetrics(agentId);
  const latest = live.latest;

  // New with every sample; useHistory compares the names by value, so only a
  // change of devices or cores loads history again.
  const names = useMemo(
    () => (latest ? [...flattenSample(latest).keys()].filter((n) => CHARTED.test(n)).sort() : []),
    [latest],
  );
  const history = useHistory(agentId, range.seconds, names);

  // The answer remembers its request: one for another agent or token is not shown.
  const [sysAnswer, setSysAnswer] = useState<SysAnswer | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    client
      .getSystemInfo(agentId, { signal: ctrl.signal })
      .then((info) => setSysAnswer({ agentId, generation, info, error: null }))
      .catch((e: unknown) => {
        if (ctrl.signal.aborted) return;
        reportError(e);
        setSysAnswer({ agentId, generation, info: null, error: errorMessage(e) });
      });
    return () => ctrl.abort();
  }, [client, agentId, generation, reportError]);
  const sys = sysAnswer?.agentId === agentId && sysAnswer.generation === generation ? sysAnswer : null;

  const listAgents = useCallback((signal: AbortSignal) => client.listAgents({ signal }), [client]);
  const agents = usePolling(listAgents, 10000);
  const entry = agents.data?.agents.find((a) => a.agent_id === agentId);

  const times = live.live.times;
  const n = times.length;
  const sampleSeconds = n >= 2 ? Math.max(1, Math.round((times[n - 1]! - times[n - 2]!))) : null;
  const lastSampleMs = latest ? latest.timestamp : null;
  const staleAfter = Math.max(10, 3 * (sampleSeconds ?? 5)) * 1000;
  const stale = lastSampleMs !== null && now - lastSampleMs > staleAfter;

  const nowS = now / 1000;
  const view: SeriesView = {
    history: history.buffer,
    live: live.live,
    version: live.version,
    from: nowS - range.seconds,
    to: nowS,
  };

  const [tone, label] = statusOf(entry?.status, live.state, stale);
  return (
    <main className="page" data-testid="agent-view" data-agent={agentId}>
      <div className="page-head">
        <div>
          <button type="button" className="link" onClick={onBack} data-testid="back">
            ← Fleet
          </button>
          <h1 className="mono">{agentId}</h1>
          <p className="muted small" data-testid="sample-period" data-seconds={sampleSeconds ?? ''}>
            last sample {formatAge(lastSampleMs, now)}
            {sampleSeconds ? ` · every ${sampleSeconds} s` : ''}
          </p>
        </div>
        <div className="head-controls">
          <StatusBadge tone={tone} testId="agent-status">
            {label}
          </StatusBadge>
          <IntervalControl agentId={agentId} currentSeconds={sampleSeconds} disabled={entry?.status === 'disconnected'} />
          <TimeRangePicker value={range.key} onChange={(r) => setRangeKey(r.key)} />
        </div>
      </div>
      {entry?.status === 'disconnected' && (
        <div className="banner banner-warn" data-testid="disconnected-banner">
          This agent is disconnected from the broker{entry.reason ? ` (${String(entry.reason)})` : ''}. Charts show
          stored history only.
        </div>
      )}
      {live.error && !latest && (
        <div className="banner banner-error" data-testid="agent-error">
          {live.error}
        </div>
      )}
      {history.error && <div className="banner banner-error">History unavailable: {history.error}</div>}
      {history.truncated && (
        <div className="banner banner-warn">History was limited by the gateway's maximum points per query.</div>
      )}
      {!latest && !live.error && <div className="state-box">Waiting for the first sample…</div>}
      <div className="grid" data-testid="agent-grid" data-history-loading={history.loading ? 'yes' : 'no'}
        data-history-points={history.buffer?.length ?? 0} data-range={range.key}
        data-history-range={history.loadedRange ?? ''}>
        <SystemInfoCard info={sys?.info ?? null} error={sys?.error ?? null} />
        <CpuUsageChart metrics={latest?.cpu} view={view} />
        <MemoryUsageChart metrics={latest?.memory} view={view} />
        <LoadChart load={latest?.load} view={view} />
        <DiskUsageChart disks={latest?.disks} view={view} />
        <NetworkChart interfaces={latest?.network_interfaces} view={view} />
        <TaskProcessesTable processes={latest?.processes} />
      </div>
    </main>
  );
}

function statusOf(status: string | undefined, stream: string, stale: boolean): [Tone, string] {
  if (status === 'disconnected') return ['bad', 'disconnected'];
  if (stream === 'closed') return ['bad', 'stream closed'];
  if (stream === 'reconnecting') return ['warn', 'reconnecting'];
  if (stream === 'connecting') return ['idle', 'connecting'];
  if (stale) return ['warn', 'no recent data'];
  return ['ok', 'live'];
}
