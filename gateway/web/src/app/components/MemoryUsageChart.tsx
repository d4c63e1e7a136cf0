import type { MemoryMetrics } from '../../lib/index.js';
import { formatBytes, formatPercent } from '../format.js';
import { TimeSeriesChart } from './TimeSeriesChart.js';
import { useJoined, type SeriesView } from './view.js';

const SERIES = [
  { name: 'memory.usage_percent', label: 'Memory', color: '#c77dff', fill: true },
  { name: 'memory.swap_usage_percent', label: 'Swap', color: '#ff9f1c' },
];

/** Memory and swap usage over time, with the current breakdown. */
export function MemoryUsageChart({ metrics, view }: { metrics: MemoryMetrics | undefined; view: SeriesView }) {
  const j = useJoined(view, SERIES.map((s) => s.name));
  const m = metrics;
  return (
    <section className="card" data-testid="memory-card">
      <header className="card-head">
        <h2>Memory</h2>
        <div className="headline">
          <span className="big" data-testid="agent-mem-now">{formatPercent(m?.usage_percent)}</span>
          <span className="muted">
            {formatBytes(m?.used_bytes)} / {formatBytes(m?.total_bytes)}
          </span>
        </div>
      </header>
      <TimeSeriesChart
        title="Usage"
        testId="chart-memory"
        series={SERIES.map((s) => ({ label: s.label, color: s.color, fill: s.fill ?? false }))}
        times={j.times}
        values={j.values}
        from={view.from}
        to={view.to}
        format={(v) => formatPercent(v, 0)}
        yRange={[0, 100]}
      />
      <dl className="kv">
        <dt>Available</dt>
        <dd>{formatBytes(m?.available_bytes)}</dd>
        <dt>Cached</dt>
        <dd>{formatBytes(m?.cached_bytes)}</dd>
        <dt>Buffers</dt>
        <dd>{formatBytes(m?.buffers_bytes)}</dd>
        <dt>Swap</dt>
        <dd>
          {formatBytes(m?.swap_used_bytes)} / {formatBytes(m?.swap_total_bytes)}
        </dd>
      </dl>
    </section>
  );
}
