/**
 * Token support against a second, real gateway with authentication on, joined
 * to the test stack: Bearer header for fetch, `token=` for SSE, 401/403 with
 * the gateway's error body, and agent scoping of the list.
 */
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MetricsApiError, MetricsClient } from '../../src/lib/index.js';
import { ExtraGateway, tokenHash, waitFor } from '../stack.js';

const ADMIN = 'admin-token-0123456789abcdefghijklmnopqrstuv';
const SCOPED = 'scoped-token-0123456789abcdefghijklmnopqrstu';
const hostAgent = inject('hostAgentId');
const agent = inject('clientAgentId');
let gw: ExtraGateway;

beforeAll(async () => {
  gw = new ExtraGateway();
  const tokens = gw.file(
    'tokens.yaml',
    `tokens:\n  - name: admin\n    hash: ${await tokenHash(ADMIN)}\n    role: admin\n` +
      `  - name: scoped\n    hash: ${await tokenHash(SCOPED)}\n    agents: [${agent}]\n`,
  );
  await gw.start(inject('stackInfo'), ['--auth.enabled=true', `--auth.tokens_file=${tokens}`]);
  // a fresh gateway knows an agent's latest sample only once the next one is published
  const admin = new MetricsClient(gw.apiBase, { token: ADMIN });
  await waitFor(async () => {
    const l = await admin.listAgents();
    return [agent, hostAgent].every((id) => l.agents.some((a) => a.agent_id === id && a.metrics));
  }, 'the authenticated gateway to have samples of both agents');
});

afterAll(async () => {
  await gw?.stop();
});

async function rejection(p: Promise<unknown>): Promise<MetricsApiError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(MetricsApiError);
  return e as MetricsApiError;
}

describe('tokens', () => {
  it('is refused without a token (401 with the JSON error body)', async () => {
    const e = await rejection(new MetricsClient(gw.apiBase).listAgents());
    expect(e.status).toBe(401);
    expect(e.isUnauthorized).toBe(true);
    expect(e.body?.error.status).toBe(401);
  });

  it('is refused with a wrong token', async () => {
    const e = await rejection(new MetricsClient(gw.apiBase, { token: 'wrong' }).getCurrentMetrics(agent));
    expect(e.status).toBe(401);
  });

  it('lets the admin token see every agent', async () => {
    const c = new MetricsClient(gw.apiBase, { token: ADMIN });
    const ids = (await c.listAgents()).agents.map((a) => a.agent_id);
    expect(ids).toContain(agent);
    expect(ids).toContain(hostAgent);
    expect((await c.getCurrentMetrics(hostAgent)).agent_id).toBe(hostAgent);
  });

  it('limits a scoped token to its agents (403 elsewhere, hidden from the list)', async () => {
    const c = new MetricsClient(gw.apiBase, { token: SCOPED });
    const ids = (await c.listAgents()).agents.map((a) => a.agent_id);
    expect(ids).toEqual([agent]);
    expect((await c.getCurrentMetrics(agent)).agent_id).toBe(agent);
    const e = await rejection(c.getCurrentMetrics(hostAgent));
    expect(e.status).toBe(403);
    expect(e.isForbidden).toBe(true);
  });

  it('puts the token in the stream URL, and the stream works with it', async () => {
    const c = new MetricsClient(gw.apiBase, { token: ADMIN, EventSource });
    expect(c.streamURL(agent, { interval: 1 })).toContain(`token=${ADMIN}`);
    const ts = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => {
        sub.close();
        reject(new Error('no event with the token'));
      }, 15000);
      const sub = c.subscribeMetrics(agent, {
        onMetrics: (s) => {
          clearTimeout(t);
          sub.close();
          resolve(s.timestamp);
        },
      }, { interval: 1 });
    });
    expect(Math.abs(Date.now() - ts)).toBeLessThan(15000);
  });

  it('gets no stream without a token', async () => {
    const c = new MetricsClient(gw.apiBase, { EventSource });
    const outcome = await new Promise<string>((resolve) => {
      const t = setTimeout(() => {
        sub.close();
        resolve('timeout');
      }, 10000);
      const sub = c.subscribeMetrics(agent, {
        onMetrics: () => {
          clearTimeout(t);
          sub.close();
          resolve('event');
        },
        onError: () => {
          if (sub.source.readyState === 2) {
            clearTimeout(t);
            sub.close();
            resolve('closed');
          }
        },
      });
    });
    expect(outcome).toBe('closed');
  });
});
