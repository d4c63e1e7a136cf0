/**
 * The live side of the agent view: an SSE subscription feeding a SeriesBuffer.
 *
 * The buffer object lives as long as the agent view and grows in place;
 * `version` bumps on every accepted sample, so it is what tells charts (and
 * their memos) that the buffer changed. EventSource reconnects by
 * itself and sends Last-Event-ID, so the gateway replays what was missed;
 * the buffer drops anything not newer than its last point. When the browser
 * gives up (readyState CLOSED: an HTTP error such as 401/403/404), a probe
 * with fetch learns the status for the UI and the stream is reopened later.
 */
import { useEffect, useState } from 'react';
import { flattenSample, type MetricsSnapshot } from '../../lib/index.js';
import { errorMessage, useApi } from '../api.js';
import { SeriesBuffer } from '../series.js';

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveMetrics {
  live: SeriesBuffer;
  latest: MetricsSnapshot | null;
  version: number;
  state: StreamState;
  error: string | null;
  /** Date.now() when the latest sample arrived. */
  receivedAt: number | null;
}

const REOPEN_MS = 5000;

export function useLiveMetrics(agentId: string): LiveMetrics {
  const { client, generation, reportError } = useApi();
  // One buffer per agent: a different agent starts from an empty buffer
  // (state adjusted during render, so no render shows the other agent's).
  const [buffer, setBuffer] = useState(() => ({ agentId, live: new SeriesBuffer() }));
  if (buffer.agentId !== agentId) setBuffer({ agentId, live: new SeriesBuffer() });
  const live = buffer.live;
  const [latest, setLatest] = useState<MetricsSnapshot | null>(null);
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<StreamState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [receivedAt, setReceivedAt] = useState<number | null>(null);

  useEffect(() => {
    let stopped = false;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    let sub: ReturnType<typeof client.subscribeMetrics> | null = null;
    let lastId: string | null = null;

    const accept = (s: MetricsSnapshot): void => {
      if (live.append(s.timestamp / 1000, flattenSample(s))) {
        setLatest(s);
        setVersion((v) => v + 1);
        setReceivedAt(Date.now());
      }
    };

    // The snapshot endpoint fills the view before the first event.
    client
      .getCurrentMetrics(agentId)
      .then((s) => {
        if (!stopped && live.length === 0) accept(s);
      })
      .catch((e: unknown) => {
        if (!stopped && !reportError(e)) setError(errorMessage(e));
      });

    const open = (): void => {
      setState(lastId ? 'reconnecting' : 'connecting');
      sub = client.subscribeMetrics(
        agentId,
        {
          onOpen: () => {
            setState('open');
            setError(null);
          },
          onMetrics: (s, id) => {
            lastId = id;
            accept(s);
          },
          onError: () => {
            if (!sub || stopped) return;
            if (sub.source.readyState === 2 /* CLOSED */) {
              sub.close();
              sub = null;
              setState('closed');
              client
                .getCurrentMetrics(agentId)
                .then(() => setError('live stream closed by the gateway'))
                .catch((e: unknown) => {
                  if (!reportError(e)) setError(errorMessage(e));
                });
              if (!stopped) reopen = setTimeout(open, REOPEN_MS);
            } else {
              setState('reconnecting');
            }
          },
        },
        lastId ? { interval: 1, lastEventId: lastId } : { interval: 1 },
      );
    };
    open();
    return () => {
      stopped = true;
      if (reopen) clearTimeout(reopen);
      sub?.close();
    };
  }, [client, agentId, generation, reportError, live]);

  return { live, latest, version, state, error, receivedAt };
}
