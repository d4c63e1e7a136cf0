/** Number formatting for the dashboard (units as in the metric namespace). */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  let x = Math.abs(v);
  let u = 0;
  while (x >= 1024 && u < BYTE_UNITS.length - 1) {
    x /= 1024;
    u++;
  }
  return `${v < 0 ? '-' : ''}${x.toFixed(u === 0 ? 0 : digits)} ${BYTE_UNITS[u]}`;
}

export function formatRate(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : `${formatBytes(v)}/s`;
}

export function formatPercent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(digits)}%`;
}

export function formatNumber(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** "3s ago" style age of a Unix-ms timestamp relative to nowMs. */
export function formatAge(tsMs: number | null | undefined, nowMs: number): string {
  if (!tsMs) return 'never';
  const s = Math.max(0, (nowMs - tsMs) / 1000);
  return s < 1 ? 'just now' : `${formatDuration(s)} ago`;
}
