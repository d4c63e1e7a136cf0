import type { LoadMetrics } from '../../lib/index.js';
import { formatNumber } from '../format.js';
import { TimeSeriesChart } from './TimeSeriesChart.js';
import { useJoined, type SeriesView } from './view.js';

const SERIES = [
  { name: 'load.load1', label: '1 min', color: '#06d6a0' },
  { name: 'load.load5', label: '5 min', color: '#118ab2' },
  { name: 'load.load15', label: '15 min', color: '#e9c46a' },
];

/** Load averages over time. */
export function LoadChart({ load, view }: { load: LoadMetrics | undefined; view: SeriesView }) {
  const j = useJoined(view, SERIES.map((s) => s.name));
  return (
    <section className="card" data-testid="load-card">
      <header className="card-head">
        <h2>Load</h2>
        <div className="headline">
          <span className="big">{formatNumber(load?.load1)}</span>
          <span className="muted">
            {formatNumber(load?.load5)} · {formatNumber(load?.load15)}
          </span>
        </div>
      </header>
      <TimeSeriesChart
        title="Load average"
        testId="chart-load"
        series={SERIES.map((s) => ({ label: s.label, color: s.color }))}
        times={j.times}
        values={j.values}
        from={view.from}
        to={view.to}
        format={(v) => formatNumber(v)}
      />
    </section>
  );
}
