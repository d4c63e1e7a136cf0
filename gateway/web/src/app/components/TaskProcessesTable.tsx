import type { ProcessMetrics } from '../../lib/index.js';
import { formatBytes, formatPercent } from '../format.js';

/** Process counts and the processes attributed to tasks. */
export function TaskProcessesTable({ processes }: { processes: ProcessMetrics | undefined }) {
  const tasks = [...(processes?.task_processes ?? [])].sort((a, b) => (b.cpu_percent ?? 0) - (a.cpu_percent ?? 0));
  return (
    <section className="card span-2" data-testid="processes-card">
      <header className="card-head">
        <h2>Processes</h2>
        <div className="counts">
          <span>
            <b>{processes?.total_processes ?? '–'}</b> total
          </span>
          <span>
            <b>{processes?.running_processes ?? '–'}</b> running
          </span>
          <span>
            <b>{processes?.sleeping_processes ?? '–'}</b> sleeping
          </span>
          <span className={(processes?.zombie_processes ?? 0) > 0 ? 'warn-text' : ''}>
            <b>{processes?.zombie_processes ?? '–'}</b> zombie
          </span>
        </div>
      </header>
      {tasks.length === 0 ? (
        <p className="muted">No task processes are tracked on this agent.</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>Task</th>
                <th className="num">PID</th>
                <th className="num">CPU</th>
                <th className="num">Memory</th>
                <th className="num">Virtual</th>
                <th className="num">Threads</th>
                <th className="num">Read</th>
                <th className="num">Written</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <tr key={`${t.task_id}|${t.pid ?? ''}`}>
                  <td className="mono">{t.task_id}</td>
                  <td className="num">{t.pid ?? '–'}</td>
                  <td className="num">{formatPercent(t.cpu_percent)}</td>
                  <td className="num">{formatBytes(t.memory_bytes)}</td>
                  <td className="num">{formatBytes(t.virtual_memory_bytes)}</td>
                  <td className="num">{t.threads ?? '–'}</td>
                  <td className="num">{formatBytes(t.read_bytes)}</td>
                  <td className="num">{formatBytes(t.write_bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
