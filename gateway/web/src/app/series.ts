/**
 * Aligned time series for uPlot: one shared time column (Unix seconds,
 * ascending) and one value column per metric name, null where a sample
 * lacked the metric.
 *
 * SeriesBuffer is append-mostly: live samples arrive in time order and go at
 * the end; an out-of-order or duplicate timestamp (an SSE replay after a
 * reconnect overlapping what we already have) is dropped, so a replay can
 * never make the time column non-monotonic. `capacity` bounds memory: the
 * oldest points go first.
 *
 * joinSeries() builds what a chart shows for a time range: history points
 * strictly older than the first live point, then the live points. The live
 * stream is opened before history is requested, and history is requested up
 * to "now", so the two overlap and the join has no hole.
 */
export type Column = (number | null)[];

export class SeriesBuffer {
  readonly times: number[] = [];
  private readonly cols = new Map<string, Column>();
  constructor(readonly capacity = 20000) {}

  get length(): number {
    return this.times.length;
  }

  get firstTime(): number | null {
    return this.times.length > 0 ? (this.times[0] ?? null) : null;
  }

  get lastTime(): number | null {
    return this.times.length > 0 ? (this.times[this.times.length - 1] ?? null) : null;
  }

  names(): string[] {
    return [...this.cols.keys()];
  }

  column(name: string): Column | undefined {
    return this.cols.get(name);
  }

  /** Appends one point; returns false when t is not after the last point. */
  append(t: number, values: ReadonlyMap<string, number>): boolean {
    const last = this.lastTime;
    if (last !== null && t <= last) return false;
    const n = this.times.length;
    this.times.push(t);
    for (const [name, v] of values) {
      let col = this.cols.get(name);
      if (!col) {
        col = new Array<number | null>(n).fill(null);
        this.cols.set(name, col);
      }
      col.push(v);
    }
    for (const col of this.cols.values()) if (col.length === n) col.push(null);
    if (this.times.length > this.capacity) this.dropOldest(this.times.length - this.capacity);
    return true;
  }

  private dropOldest(k: number): void {
    this.times.splice(0, k);
    for (const col of this.cols.values()) col.splice(0, k);
  }
}

/** Builds a SeriesBuffer from history points (`timestamp` in seconds + metric keys). */
export function bufferFromHistory(points: ReadonlyArray<Record<string, number>>): SeriesBuffer {
  const sorted = [...points].sort((a, b) => (a['timestamp'] ?? 0) - (b['timestamp'] ?? 0));
  const buf = new SeriesBuffer(Math.max(sorted.length, 1));
  for (const p of sorted) {
    const t = p['timestamp'];
    if (typeof t !== 'number') continue;
    const m = new Map<string, number>();
    for (const [k, v] of Object.entries(p)) if (k !== 'timestamp' && typeof v === 'number') m.set(k, v);
    buf.append(t, m);
  }
  return buf;
}

/** A chart's data: x column plus one column per requested name. */
export interface Joined {
  times: number[];
  values: Column[];
}

/**
 * History points older than the first live point, then live points, limited to
 * t >= from; columns in the order of `names`.
 */
export function joinSeries(
  history: SeriesBuffer | null,
  live: SeriesBuffer,
  names: readonly string[],
  from: number,
): Joined {
  const times: number[] = [];
  const values: Column[] = names.map(() => []);
  const liveStart = live.firstTime ?? Number.POSITIVE_INFINITY;
  const take = (buf: SeriesBuffer, until: number): void => {
    const cols = names.map((n) => buf.column(n));
    for (let i = 0; i < buf.times.length; i++) {
      const t = buf.times[i] as number;
      if (t < from || t >= until) continue;
      times.push(t);
      cols.forEach((c, j) => (values[j] as Column).push(c ? (c[i] ?? null) : null));
    }
  };
  if (history) take(history, liveStart);
  take(live, Number.POSITIVE_INFINITY);
  return { times, values };
}
