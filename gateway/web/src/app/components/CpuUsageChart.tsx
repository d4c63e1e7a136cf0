import type { CpuMetrics } from '../../lib/index.js';
import { coreMetric } from '../../lib/index.js';
import { formatPercent } from '../format.js';
import { TimeSeriesChart, color } from './TimeSeriesChart.js';
import { useJoined, type SeriesView } from './view.js';

const pct = (v: number): string => formatPercent(v, 0);

const TOTAL = [
  { name: 'cpu.usage_percent', label: 'Total', color: '#4cc9f0', fill: true },
  { name: 'cpu.user_percent', label: 'User', color: '#b5e48c' },
  { name: 'cpu.system_percent', label: 'System', color: '#f72585' },
  { name: 'cpu.iowait_percent', label: 'I/O wait', color: '#ffd166' },
];

/** CPU: total usage with its user/system/iowait split, and one line per logical CPU. */
export function CpuUsageChart({ metrics, view }: { metrics: CpuMetrics | undefined; view: SeriesView }) {
  const cores = metrics?.core_usage?.length ?? 0;
  const coreNames = Array.from({ length: cores }, (_, i) => coreMetric(i));
  const total = useJoined(view, TOTAL.map((s) => s.name));
  const perCore = useJoined(view, coreNames);
  return (
    <section className="card span-2" data-testid="cpu-card">
      <header className="card-head">
        <h2>CPU</h2>
        <div className="headline">
          <span className="big" data-testid="agent-cpu-now">{formatPercent(metrics?.usage_percent)}</span>
          {metrics?.temperature_celsius !== undefined && (
            <span className="muted">{metrics.temperature_celsius.toFixed(0)} °C</span>
          )}
        </div>
      </header>
      <TimeSeriesChart
        title="Usage"
        testId="chart-cpu"
        series={TOTAL.map((s) => ({ label: s.label, color: s.color, fill: s.fill ?? false }))}
        times={total.times}
        values={total.values}
        from={view.from}
        to={view.to}
        format={pct}
        yRange={[0, 100]}
      />
      {cores > 0 && (
        <>
          <div className="core-bars" aria-label="Per-core usage now">
            {metrics?.core_usage?.map((v, i) => (
              <div key={i} className="core-bar" title={`CPU ${i}: ${formatPercent(v)}`}>
                <div className="core-fill" style={{ height: `${Math.min(100, Math.max(0, v))}%` }} />
                <span>{i}</span>
              </div>
            ))}
          </div>
          <TimeSeriesChart
            title="Per core"
            testId="chart-cpu-cores"
            series={coreNames.map((_, i) => ({ label: `CPU ${i}`, color: color(i), width: 1 }))}
            times={perCore.times}
            values={perCore.values}
            from={view.from}
            to={view.to}
            format={pct}
            yRange={[0, 100]}
            height={160}
          />
        </>
      )}
    </section>
  );
}
