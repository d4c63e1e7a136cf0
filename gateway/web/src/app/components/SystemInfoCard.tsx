import type { SystemInfo } from '../../lib/index.js';
import { formatBytes, formatDuration } from '../format.js';

/** Hardware, OS and network identity of an agent (GET /agents/{id}/system). */
export function SystemInfoCard({ info, error }: { info: SystemInfo | null; error: string | null }) {
  if (!info) {
    return (
      <section className="card span-2" data-testid="system-card">
        <header className="card-head">
          <h2>System</h2>
        </header>
        {error ? <p className="error-text">{error}</p> : <p className="muted">Loading system information…</p>}
      </section>
    );
  }
  const hw = info.hardware;
  const sw = info.software;
  const os = sw?.os;
  const ifaces = (info.network_interfaces ?? []).filter((n) => n.name !== 'lo');
  return (
    <section className="card span-2" data-testid="system-card">
      <header className="card-head">
        <h2>System</h2>
        {sw?.hostname && <span className="muted mono">{sw.hostname}</span>}
      </header>
      <div className="sysgrid">
        <dl className="kv">
          <dt>CPU</dt>
          <dd>{hw?.cpu?.model ?? '–'}</dd>
          <dt>Cores / threads</dt>
          <dd>
            {hw?.cpu?.cores ?? hw?.core_count ?? '–'} / {hw?.cpu?.threads ?? hw?.thread_count ?? '–'}
          </dd>
          <dt>Frequency</dt>
          <dd>
            {hw?.cpu?.base_frequency_ghz ? `${hw.cpu.base_frequency_ghz.toFixed(2)} GHz` : '–'}
            {hw?.cpu?.max_frequency_ghz ? ` (max ${hw.cpu.max_frequency_ghz.toFixed(2)} GHz)` : ''}
          </dd>
          <dt>Architecture</dt>
          <dd>{hw?.architecture ?? '–'}</dd>
          <dt>Memory</dt>
          <dd>
            {formatBytes(hw?.memory?.total_bytes)}
            {hw?.memory?.memory_type ? ` ${hw.memory.memory_type}` : ''}
            {hw?.memory?.speed_mhz ? ` @ ${hw.memory.speed_mhz} MHz` : ''}
          </dd>
        </dl>
        <dl className="kv">
          <dt>OS</dt>
          <dd>{[os?.name, os?.version].filter(Boolean).join(' ') || '–'}</dd>
          <dt>Kernel</dt>
          <dd className="mono">{os?.kernel_version ?? '–'}</dd>
          <dt>Uptime</dt>
          <dd>{formatDuration(sw?.uptime_seconds)}</dd>
          <dt>Disks</dt>
          <dd>
            {(hw?.disks ?? []).length === 0
              ? '–'
              : (hw?.disks ?? [])
                  .map((d) => `${d.mount_point ?? d.device} ${d.filesystem ?? ''} ${formatBytes(d.total_bytes, 0)}`.trim())
                  .join(', ')}
          </dd>
          <dt>Network</dt>
          <dd>
            {ifaces.length === 0
              ? '–'
              : ifaces.map((n) => (
                  <div key={n.name} className="mono small">
                    <span className={n.is_up ? 'ok-text' : 'muted'}>●</span> {n.name}{' '}
                    {(n.ip_addresses ?? []).join(', ')}
                    {n.speed_mbps ? ` · ${n.speed_mbps} Mb/s` : ''}
                  </div>
                ))}
          </dd>
        </dl>
      </div>
    </section>
  );
}
