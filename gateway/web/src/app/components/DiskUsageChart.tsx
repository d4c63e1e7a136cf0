import type { DiskMetrics } from '../../lib/index.js';
import { diskMetric } from '../../lib/index.js';
import { formatBytes, formatPercent, formatRate } from '../format.js';
import { TimeSeriesChart, color } from './TimeSeriesChart.js';
import { useJoined, type SeriesView } from './view.js';

const MAX_IO_DEVICES = 4;

/** Filesystem capacity per disk (bars) and read/write throughput over time. */
export function DiskUsageChart({ disks, view }: { disks: DiskMetrics[] | undefined; view: SeriesView }) {
  const list = disks ?? [];
  const busiest = [...list]
    .sort((a, b) => (b.read_bytes_per_sec ?? 0) + (b.write_bytes_per_sec ?? 0) - (a.read_bytes_per_sec ?? 0) - (a.write_bytes_per_sec ?? 0))
    .slice(0, MAX_IO_DEVICES)
    .sort((a, b) => a.device.localeCompare(b.device));
  const series = busiest.flatMap((d, i) => [
    { name: diskMetric(d.device, 'read_bytes_per_sec'), label: `${short(d.device)} read`, color: color(2 * i) },
    { name: diskMetric(d.device, 'write_bytes_per_sec'), label: `${short(d.device)} write`, color: color(2 * i + 1) },
  ]);
  const j = useJoined(view, series.map((s) => s.name));
  return (
    <section className="card" data-testid="disk-card">
      <header className="card-head">
        <h2>Disks</h2>
      </header>
      {list.length === 0 ? (
        <p className="muted">No disk metrics reported.</p>
      ) : (
        <table className="capacity">
          <tbody>
            {list.map((d) => (
              <tr key={`${d.device}|${d.mount_point ?? ''}`}>
                <td className="mono" title={d.device}>
                  {d.mount_point ?? d.device}
                </td>
                <td className="bar-cell">
                  <div className="meter">
                    <div
                      className={`meter-fill ${(d.usage_percent ?? 0) > 90 ? 'warn' : ''}`}
                      style={{ width: `${Math.min(100, d.usage_percent ?? 0)}%` }}
                    />
                  </div>
                </td>
                <td className="num">{formatPercent(d.usage_percent, 0)}</td>
                <td className="num muted">
                  {formatBytes(d.used_bytes)} / {formatBytes(d.total_bytes)}
                </td>
                <td className="num muted">
                  ↓{formatRate(d.read_bytes_per_sec)} ↑{formatRate(d.write_bytes_per_sec)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {series.length > 0 && (
        <TimeSeriesChart
          title="Throughput"
          testId="chart-disk"
          series={series.map((s) => ({ label: s.label, color: s.color }))}
          times={j.times}
          values={j.values}
          from={view.from}
          to={view.to}
          format={(v) => formatRate(v)}
          axisFormat={(v) => `${formatBytes(v, 0)}/s`}
          height={170}
        />
      )}
    </section>
  );
}

function short(device: string): string {
  const i = device.lastIndexOf('/');
  return i >= 0 ? device.slice(i + 1) : device;
}
