export interface TimeRange {
  key: string;
  label: string;
  seconds: number;
}

export const TIME_RANGES: TimeRange[] = [
  { key: '5m', label: '5 min', seconds: 300 },
  { key: '15m', label: '15 min', seconds: 900 },
  { key: '1h', label: '1 hour', seconds: 3600 },
  { key: '6h', label: '6 hours', seconds: 6 * 3600 },
  { key: '24h', label: '24 hours', seconds: 86400 },
  { key: '7d', label: '7 days', seconds: 7 * 86400 },
];

/** Segmented control choosing how far back the charts reach. */
export function TimeRangePicker({ value, onChange }: { value: string; onChange: (r: TimeRange) => void }) {
  return (
    <div className="segmented" role="radiogroup" aria-label="Time range" data-testid="time-range">
      {TIME_RANGES.map((r) => (
        <button
          key={r.key}
          type="button"
          role="radio"
          aria-checked={value === r.key}
          className={value === r.key ? 'active' : ''}
          data-range={r.key}
          onClick={() => onChange(r)}
        >
          {r.label}
        </button>
      ))}
    </div>
  );
}
