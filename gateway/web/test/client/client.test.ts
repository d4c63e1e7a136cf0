/**
 * MetricsClient against the real gateway of the test stack (global-setup.ts):
 * no mocked fetch. Values are checked against what Node itself reads from
 * this host (cores, memory, hostname), so a wrong mapping fails.
 */
import { EventSource } from 'eventsource';
import { cpus, hostname, totalmem } from 'node:os';
import { describe, expect, inject, it } from 'vitest';
import {
  MetricsApiError,
  MetricsClient,
  MetricsNetworkError,
  flattenSample,
  type MetricsSnapshot,
} from '../../src/lib/index.js';
import { freePort, startAgentFor, tempDir, waitFor } from '../stack.js';

const api = inject('apiBase');
const hostAgent = inject('hostAgentId');
const agent = inject('clientAgentId');
const client = new MetricsClient(api, { EventSource });

/** Collects `n` events of a subscription (or fails after timeoutMs). */
function collect(
  c: MetricsClient,
  id: string,
  n: number,
  opts: Parameters<MetricsClient['subscribeMetrics']>[2] = {},
  timeoutMs = 20000,
): Promise<{ sample: MetricsSnapshot; id: string }[]> {
  return new Promise((resolve, reject) => {
    const got: { sample: MetricsSnapshot; id: string }[] = [];
    const t = setTimeout(() => {
      sub.close();
      reject(new Error(`only ${got.length}/${n} SSE events in ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = c.subscribeMetrics(
      id,
      {
        onMetrics: (sample, eid) => {
          got.push({ sample, id: eid });
          if (got.length === n) {
            clearTimeout(t);
            sub.close();
            resolve(got);
          }
        },
        onError: (e) => {
          if (sub.source.readyState === 2) {
            clearTimeout(t);
            reject(e instanceof Error ? e : new Error('SSE connection failed'));
          }
        },
      },
      opts,
    );
  });
}

describe('REST', () => {
  it('lists both agents as connected with a CPU and memory summary', async () => {
    const list = await client.listAgents();
    const ids = list.agents.map((a) => a.agent_id);
    expect(ids).toContain(agent);
    expect(ids).toContain(hostAgent);
    const a = list.agents.find((x) => x.agent_id === agent)!;
    expect(a.status).toBe('connected');
    expect(a.metrics?.cpu?.usage_percent).toBeGreaterThanOrEqual(0);
    expect(a.metrics?.cpu?.usage_percent).toBeLessThanOrEqual(100);
    expect(a.metrics?.memory?.usage_percent).toBeGreaterThan(0);
    expect(Math.abs(Date.now() - Number(a.last_metrics_update))).toBeLessThan(15000);
  });

  it('returns the current sample of this host', async () => {
    const m = await client.getCurrentMetrics(agent);
    expect(m.agent_id).toBe(agent);
    expect(Math.abs(Date.now() - m.timestamp)).toBeLessThan(15000);
    expect(m.cpu?.core_usage).toHaveLength(cpus().length);
    expect(m.cpu?.usage_percent).toBeGreaterThanOrEqual(0);
    expect(m.memory?.total_bytes).toBe(totalmem());
    expect(m.memory?.usage_percent).toBeGreaterThan(0);
    expect(m.load?.load1).toBeGreaterThanOrEqual(0);
    expect(m.network_interfaces?.map((n) => n.interface)).toContain('lo');
    expect(m.processes?.total_processes).toBeGreaterThan(1);
  });

  it('returns system information naming this host', async () => {
    const s = await client.getSystemInfo(hostAgent);
    expect(s.agent_id).toBe(hostAgent);
    expect(s.software?.hostname).toBe(hostname());
    expect(s.hardware?.cpu?.threads ?? s.hardware?.thread_count).toBe(cpus().length);
    expect(s.hardware?.memory?.total_bytes).toBe(totalmem());
  });

  it('returns only the requested system information part', async () => {
    const s = await client.getSystemInfo(agent, { hardware: true, software: false, network: false });
    expect(s.hardware).toBeDefined();
    expect(s.software).toBeUndefined();
    expect(s.network_interfaces ?? []).toHaveLength(0);
  });
});

describe('history', () => {
  it('answers history for the names flattenSample() builds from a live sample', async () => {
    const m = await client.getCurrentMetrics(agent);
    const names = [...flattenSample(m).keys()];
    const pick = [
      'cpu.usage_percent',
      'cpu.core.0.usage_percent',
      'memory.usage_percent',
      'load.load1',
      names.find((n) => /^net\.lo\.bytes_recv_per_sec$/.test(n)),
      names.find((n) => /^disk\..+\.usage_percent$/.test(n)),
    ].filter((n): n is string => typeof n === 'string');
    expect(pick.length).toBeGreaterThanOrEqual(5);
    for (const n of pick) expect(names).toContain(n);

    const h = await waitFor(async () => {
      const end = Math.ceil(Date.now() / 1000);
      const r = await client.getHistoricalMetrics(agent, { metrics: pick, start: end - 120, end, interval: 1 });
      return r.data.length >= 3 ? r : null;
    }, 'three history points', 20000, 500);
    expect(h.agent_id).toBe(agent);
    expect(h.query.metrics).toEqual(pick);
    for (const p of h.data) {
      expect(p.timestamp).toBeGreaterThanOrEqual(h.query.start_timestamp);
      expect(p.timestamp).toBeLessThanOrEqual(h.query.end_timestamp);
      for (const k of Object.keys(p)) expect(['timestamp', ...pick]).toContain(k);
    }
    for (const n of pick) expect(h.data.some((p) => typeof p[n] === 'number')).toBe(true);
    const ts = h.data.map((p) => p.timestamp);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
  });

  it('reports truncation when max_points is reached', async () => {
    const end = Math.ceil(Date.now() / 1000);
    const r = await client.getHistoricalMetrics(agent, {
      metrics: ['cpu.usage_percent'],
      startTime: end - 600,
      endTime: end,
      interval: 1,
      maxPoints: 2,
    });
    expect(r.data.length).toBeLessThanOrEqual(2);
    expect(r.truncated).toBe(true);
  });
});

describe('errors', () => {
  async function apiError(p: Promise<unknown>): Promise<MetricsApiError> {
    const e = await p.then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(MetricsApiError);
    return e as MetricsApiError;
  }

  it('carries the JSON error body of an unknown agent (404)', async () => {
    const e = await apiError(client.getCurrentMetrics('no-such-agent'));
    expect(e.status).toBe(404);
    expect(e.isNotFound).toBe(true);
    expect(e.body?.error.status).toBe(404);
    expect(e.body?.error.message.length).toBeGreaterThan(0);
    expect(e.message).toBe(e.body?.error.message);
  });

  it('carries the failure code of a control request to an agent that left (503 not_connected)', async () => {
    const id = 'web-c-leaving';
    const [dir, cleanup] = tempDir('nodelink-web-agent-');
    const proc = startAgentFor(inject('stackInfo'), id, dir);
    try {
      // routable once the broker has its hello and the gateway its first sample
      await waitFor(
        () => client.controlStream(id, { action: 'start' }).then(() => true, () => false),
        `control requests routed to ${id}`,
        20000,
        200,
      );
      expect(await proc.stopChecked()).toBeNull(); // says goodbye: known, not connected
      const e = await waitFor(
        () => client.controlStream(id, { action: 'start' }).then(() => null, (x: unknown) => x as MetricsApiError),
        'a failed control request',
        10000,
        200,
      );
      expect(e).toBeInstanceOf(MetricsApiError);
      expect(e.status).toBe(503);
      expect(e.code).toBe('not_connected');
      expect(e.body?.error.code).toBe('not_connected');
      expect(e.retryAfter).toBe(5);
    } finally {
      await proc.stop();
      cleanup();
    }
  });

  it('has no failure code where no control request failed', async () => {
    const e = await apiError(client.getCurrentMetrics('no-such-agent'));
    expect(e.code).toBeNull();
  });

  it('reports start > end as 400', async () => {
    const e = await apiError(client.getHistoricalMetrics(agent, { metrics: ['cpu.usage_percent'], start: 200, end: 100 }));
    expect(e.status).toBe(400);
    expect(e.body?.error.status).toBe(400);
  });

  it('reports an unknown metric as 400', async () => {
    const e = await apiError(client.getHistoricalMetrics(agent, { metrics: ['cpu.no_such_metric'] }));
    expect(e.status).toBe(400);
  });

  it('reports an interval below 1 as 400', async () => {
    const e = await apiError(client.getHistoricalMetrics(agent, { metrics: ['cpu.usage_percent'], interval: 0 }));
    expect(e.status).toBe(400);
  });

  it('turns a refused connection into MetricsNetworkError', async () => {
    const port = await freePort();
    const c = new MetricsClient(`http://127.0.0.1:${port}/api`);
    await expect(c.listAgents()).rejects.toBeInstanceOf(MetricsNetworkError);
  });
});

describe('SSE', () => {
  it('streams metrics events whose id is the sample timestamp', async () => {
    const ev = await collect(client, agent, 3, { interval: 1 });
    for (const e of ev) expect(e.id).toBe(String(e.sample.timestamp));
    const ts = ev.map((e) => e.sample.timestamp);
    expect(ts[1]!).toBeGreaterThan(ts[0]!);
    expect(ts[2]!).toBeGreaterThan(ts[1]!);
    expect(ev[0]!.sample.cpu?.usage_percent).toBeGreaterThanOrEqual(0);
  });

  it('honours the metrics filter', async () => {
    const ev = await collect(client, agent, 2, { interval: 1, metrics: ['memory.usage_percent'] });
    for (const { sample } of ev) {
      expect(sample.memory?.usage_percent).toBeGreaterThan(0);
      expect(sample.cpu).toBeUndefined();
      expect(sample.disks ?? []).toHaveLength(0);
    }
  });

  it('replays missed samples after lastEventId without a gap', async () => {
    const [first] = await collect(client, agent, 1, { interval: 1 });
    await new Promise((r) => setTimeout(r, 3500));
    const replay = await collect(client, agent, 3, { interval: 1, lastEventId: first!.id });
    const t0 = Number(first!.id);
    // the first replayed sample is the one right after the last seen (1 s agent interval)
    expect(replay[0]!.sample.timestamp).toBeGreaterThan(t0);
    expect(replay[0]!.sample.timestamp - t0).toBeLessThanOrEqual(1500);
    expect(replay[2]!.sample.timestamp).toBeLessThan(Date.now() + 1000);
  });
});

describe('stream control', () => {
  it('changes the agent interval, stops and restarts sampling', async () => {
    try {
      const r = await client.controlStream(agent, { action: 'update_interval', intervalSeconds: 2 });
      expect(r.agent_id).toBe(agent);
      expect(r.status).toBe('completed');
      expect(r.streaming).toBe(true);
      expect(r.interval_ms).toBe(2000);
      const ev = await collect(client, agent, 3, { interval: 1 });
      const d1 = ev[2]!.sample.timestamp - ev[1]!.sample.timestamp;
      expect(d1).toBeGreaterThanOrEqual(1900);
      expect(d1).toBeLessThanOrEqual(2100);

      const stopped = await client.controlStream(agent, { action: 'stop' });
      expect(stopped.streaming).toBe(false);
      const before = (await client.getCurrentMetrics(agent)).timestamp;
      await new Promise((r) => setTimeout(r, 3500));
      const after = (await client.getCurrentMetrics(agent)).timestamp;
      expect(after - before).toBeLessThanOrEqual(2100); // at most one in-flight sample

      await client.controlStream(agent, { action: 'start', intervalSeconds: 1 });
      const resumed = await collect(client, agent, 2, { interval: 1 });
      expect(resumed[1]!.sample.timestamp).toBeGreaterThan(after);
    } finally {
      await client.controlStream(agent, { action: 'start', intervalSeconds: 1 }).catch(() => undefined);
    }
  });

  it('rejects an unknown action with the gateway error body', async () => {
    const c = new MetricsClient(api);
    const e = await c
      .controlStream(agent, { action: 'jump' as 'start' })
      .then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(MetricsApiError);
    expect((e as MetricsApiError).status).toBe(400);
  });
});
