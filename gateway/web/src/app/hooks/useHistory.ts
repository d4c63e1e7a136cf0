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
  /** A request is under way (what is shown is an older answer, if any). */
  loading: boolean;
  error: string | null;
  truncated: boolean;
  /** Bucket width in seconds of `buffer` (of the requested range before the first load). */
  interval: number;
  /** Unix seconds the loaded range starts at (null before the first load). */
  from: number | null;
  /** Length in seconds of the range `buffer` holds (null before the first load). */
  loadedRange: number | null;
}

/** The last answer and the request it answers (a change of request means loading). */
interface Answer extends Omit<History, 'loading'> {
  request: string | null;
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
  const request = JSON.stringify([agentId, rangeSeconds, namesKey, generation]);
  const [answer, setAnswer] = useState<Answer>(() => ({
    request: null,
    buffer: null,
    error: null,
    truncated: false,
    interval: bucketFor(rangeSeconds),
    from: null,
    loadedRange: null,
  }));

  useEffect(() => {
    if (namesKey.length === 0) return;
    const ctrl = new AbortController();
    const end = Math.ceil(Date.now() / 1000);
    const start = end - rangeSeconds;
    const interval = bucketFor(rangeSeconds);
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
        setAnswer({
          request,
          buffer: bufferFromHistory([...byTs.values()]),
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
        setAnswer((a) => ({ ...a, request, error: errorMessage(e) }));
      });
    return () => ctrl.abort();
  }, [client, agentId, rangeSeconds, namesKey, request, reportError]);

  const { request: answered, ...h } = answer;
  const loading = namesKey.length > 0 && answered !== request;
  return { ...h, loading, error: loading ? null : h.error };
}
