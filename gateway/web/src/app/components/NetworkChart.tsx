import { useState } from 'react';
import type { NetworkMetrics } from '../../lib/index.js';
import { netMetric } from '../../lib/index.js';
import { formatBytes, formatRate } from '../format.js';
import { TimeSeriesChart, color } from './TimeSeriesChart.js';
import { useJoined, type SeriesView } from './view.js';

/** Received/sent bytes per second per interface (loopback hidden unless asked). */
export function NetworkChart({ interfaces, view }: { interfaces: NetworkMetrics[] | undefined; view: SeriesView }) {
  const [showLo, setShowLo] = useState(false);
  const list = (interfaces ?? [])
    .filter((n) => showLo || n.interface !== 'lo')
    .sort((a, b) => a.interface.localeCompare(b.interface))
    .slice(0, 6);
  const series = list.flatMap((n, i) => [
    { name: netMetric(n.interface, 'bytes_recv_per_sec'), label: `${n.interface} rx`, color: color(2 * i) },
    { name: netMetric(n.interface, 'bytes_sent_per_sec'), label: `${n.interface} tx`, color: color(2 * i + 1) },
  ]);
  const j = useJoined(view, series.map((s) => s.name));
  return (
    <section className="card" data-testid="network-card">
      <header className="card-head">
        <h2>Network</h2>
        <label className="toggle">
          <input type="checkbox" checked={showLo} onChange={(e) => setShowLo(e.target.checked)} /> loopback
        </label>
      </header>
      {series.length === 0 ? (
        <p className="muted">No network interfaces reported.</p>
      ) : (
        <TimeSeriesChart
          title="Throughput"
          testId="chart-network"
          series={series.map((s) => ({ label: s.label, color: s.color }))}
          times={j.times}
          values={j.values}
          from={view.from}
          to={view.to}
          format={(v) => formatRate(v)}
          axisFormat={(v) => `${formatBytes(v, 0)}/s`}
        />
      )}
    </section>
  );
}
