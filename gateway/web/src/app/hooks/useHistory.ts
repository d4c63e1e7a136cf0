/**
 * History for the selected time range, keyed like the live buffer.
 *
 * Requested from now - range to now (the live stream is already open, so the
 * two overlap: see series.ts joinSeries). The bucket width keeps a range at
 * about 600 points; long metric lists are split over several requests (URL
 * length) and merged by timestamp.
 */
import { useEffect, useState } from 'react';
import type { MetricsTimePoint } from '../../lib/index.js';
import { errorMessage, useApi } from '../api.js';
import { bufferFromHistory, type SeriesBuffer } from '../series.js';

export interface History {
  buffer: SeriesBuffer | null;
  loading: boolean;
  error: string | null;
  truncated: boolean;
  interval: number;
  /** Unix seconds the loaded range starts at. */
  from: number;
  /** Length in seconds of the range `buffer` holds (null before the first load). */
  loadedRange: number | null;
}

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
const TARGET_POINTS = 600;
const CHUNK = 40;

export function bucketFor(rangeSeconds: number): number {
  const want = rangeSeconds / TARGET_POINTS;
  return STEPS.find((s) => s >= want) ?? 3600;
}

export function useHistory(agentId: string, rangeSeconds: number, names: readonly string[]): History {
  const { client, generation, reportError } = useApi();
  const namesKey = names.join(',');
  const [h, setH] = useState<History>({
    buffer: null,
    loading: false,
    error: null,
    truncated: false,
    interval: bucketFor(rangeSeconds),
    from: Math.floor(Date.now() / 1000) - rangeSeconds,
    loadedRange: null,
  });

  useEffect(() => {
    if (namesKey.length === 0) return;
    const ctrl = new AbortController();
    const end = Math.ceil(Date.now() / 1000);
    const start = end - rangeSeconds;
    const interval = bucketFor(rangeSeconds);
    setH((p) => ({ ...p, loading: true, error: null, interval, from: start }));
    const list = namesKey.split(',');
    const chunks: string[][] = [];
    for (let i = 0; i < list.length; i += CHUNK) chunks.push(list.slice(i, i + CHUNK));
    Promise.all(
      chunks.map((metrics) =>
        client.getHistoricalMetrics(
          agentId,
          { metrics, start, end, interval, maxPoints: Math.ceil(rangeSeconds / interval) + 10 },
          { signal: ctrl.signal },
        ),
      ),
    )
      .then((answers) => {
        const byTs = new Map<number, MetricsTimePoint>();
        for (const a of answers)
          for (const p of a.data) byTs.set(p.timestamp, { ...(byTs.get(p.timestamp) ?? {}), ...p });
        setH({
          buffer: bufferFromHistory([...byTs.values()]),
          loading: false,
          error: null,
          truncated: answers.some((a) => a.truncated === true),
          interval,
          from: start,
          loadedRange: rangeSeconds,
        });
      })
      .catch((e: unknown) => {
        if (ctrl.signal.aborted) return;
        reportError(e);
        setH((p) => ({ ...p, loading: false, error: errorMessage(e) }));
      });
    return () => ctrl.abort();
  }, [client, agentId, rangeSeconds, namesKey, generation, reportError]);

  return h;
}
