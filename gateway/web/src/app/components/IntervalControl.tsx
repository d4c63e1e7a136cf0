import { useState } from 'react';
import { errorMessage, useApi } from '../api.js';

const CHOICES = [1, 2, 5, 10, 15, 30, 60];

/**
 * Changes the agent's collection interval (POST /agents/{id}/metrics/stream,
 * update_interval), or stops/starts its sampling. Shows the agent's answer.
 */
export function IntervalControl({
  agentId,
  currentSeconds,
  disabled = false,
}: {
  agentId: string;
  /** The agent's sampling period as observed from the stream; null while unknown. */
  currentSeconds: number | null;
  disabled?: boolean;
}) {
  const { client, reportError } = useApi();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  const value = chosen ?? currentSeconds;

  const send = async (action: 'update_interval' | 'start' | 'stop', seconds?: number): Promise<void> => {
    setBusy(true);
    setNote(null);
    try {
      const r = await client.controlStream(agentId, seconds ? { action, intervalSeconds: seconds } : { action });
      const ms = typeof r.interval_ms === 'number' ? r.interval_ms : null;
      const text =
        action === 'stop'
          ? 'Sampling stopped'
          : `Agent samples every ${ms !== null ? ms / 1000 : (seconds ?? value ?? '?')} s`;
      setNote({ ok: true, text });
    } catch (e) {
      reportError(e);
      setNote({ ok: false, text: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="interval-control" data-testid="interval-control">
      <label>
        Sample every{' '}
        <select
          value={value ?? ''}
          disabled={busy || disabled}
          data-testid="interval-select"
          onChange={(e) => {
            const s = Number(e.target.value);
            setChosen(s);
            void send('update_interval', s);
          }}
        >
          {value === null && <option value="">–</option>}
          {[...new Set(value === null ? CHOICES : [...CHOICES, value])].sort((a, b) => a - b).map((s) => (
            <option key={s} value={s}>
              {s} s
            </option>
          ))}
        </select>
      </label>
      <button type="button" disabled={busy || disabled} onClick={() => void send('stop')} title="Stop the agent's sampling">
        Pause
      </button>
      <button type="button" disabled={busy || disabled} onClick={() => void send('start', value ?? undefined)} title="Resume sampling">
        Resume
      </button>
      {busy && <span className="muted small">sending…</span>}
      {note && (
        <span className={`small ${note.ok ? 'ok-text' : 'error-text'}`} data-testid="interval-note">
          {note.text}
        </span>
      )}
    </div>
  );
}
