/**
 * One stack for the whole test run: the gateway serves the built dashboard
 * (dist/) and two agents run on this host: one with the default id (the host
 * name, for the dashboard test) and `web-c1` (for the client tests, which may
 * change its sampling). Everything is stopped in teardown.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { BIN, Stack, waitFor, type StackInfo } from './stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    httpBase: string;
    apiBase: string;
    hostAgentId: string;
    clientAgentId: string;
    stackInfo: StackInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!Stack.binariesPresent())
    throw new Error(`nodelink binaries not found in ${BIN} (set NODELINK_BUILD_DIR to a build directory)`);
  const dist = join(import.meta.dirname, '..', 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html missing: run npm run build first`);

  const stack = await Stack.start({ staticDir: dist });
  try {
    stack.startAgent(null);
    stack.startAgent('web-c1');
    const list = await waitFor(async () => {
      const r = await fetch(`${stack.apiBase}/metrics/agents`);
      const j = (await r.json()) as { agents: { agent_id: string; status: string; metrics: unknown }[] };
      const up = j.agents.filter((a) => a.status === 'connected' && a.metrics);
      return up.length >= 2 ? j.agents : null;
    }, 'both agents connected with metrics', 30000, 250);
    const host = list.find((a) => a.agent_id !== 'web-c1');
    if (!host) throw new Error('no host agent listed');
    project.provide('httpBase', stack.httpBase);
    project.provide('apiBase', stack.apiBase);
    project.provide('hostAgentId', host.agent_id);
    project.provide('clientAgentId', 'web-c1');
    project.provide('stackInfo', {
      frontend: stack.ep('frontend'),
      agents: stack.ep('agents'),
      backend: stack.ep('backend'),
      clients: stack.ep('clients'),
      redisUrl: stack.redisUrl,
    });
  } catch (e) {
    stack.dumpLogs();
    await stack.stop();
    throw e;
  }
  return async () => {
    // a service that died during the run fails it (after everything is stopped)
    const dead = stack.procs.filter((p) => !p.alive()).map((p) => `${p.name}:\n${p.log().slice(-3000)}`);
    const problems = await stack.stop();
    // vitest reports a teardown error but still exits 0: fail the run explicitly
    if (dead.length > 0 || problems.length > 0) process.exitCode = 1;
    if (dead.length > 0) throw new Error(`processes exited during the tests:\n${dead.join('\n')}`);
    if (problems.length > 0) throw new Error(`processes did not stop cleanly:\n${problems.join('\n')}`);
  };
}
