/**
 * The dashboard end to end in headless Chromium (Debian's /usr/bin/chromium
 * through playwright-core; no browser is downloaded): the page is served by
 * the stack's real gateway from dist/, data flows from this host's agent.
 * Screenshots go to tests/artifacts/ at the repository root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ExtraGateway, REPO, startAgentFor, tempDir, tokenHash } from '../stack.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = join(REPO, 'tests', 'artifacts');
const base = inject('httpBase');
const hostAgent = inject('hostAgentId');

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  // A failed load's console line does not name the resource: say which.
  page.on('response', (r) => {
    if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
});

/** Burns one core for at most ms (a child process; callers kill it when done). */
function burn(ms: number): ChildProcess {
  return spawn(process.execPath, ['-e', `const e=Date.now()+${ms};while(Date.now()<e){}`], { stdio: 'ignore' });
}

describe('dashboard', () => {
  it('serves the built dashboard at / with the right content types', async () => {
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await r.text();
    const js = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(js).toBeTruthy();
    const a = await fetch(`${base}/${js}`);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/javascript/);
  });

  it('lists this host\'s agent as connected, with a CPU number that changes', async () => {
    await page.goto(`${base}/`);
    const tile = page.getByTestId(`agent-tile-${hostAgent}`);
    await tile.waitFor({ timeout: 15000 });
    expect(await tile.getAttribute('data-status')).toBe('connected');
    await page.getByTestId('fleet-summary').getByText(/connected/).waitFor();

    const cpu = page.getByTestId(`fleet-cpu-${hostAgent}`);
    const seen = new Set<string>();
    // Load that comes and goes (3 s on, 3 s off) makes the number move even on
    // an idle host or one already pegged at 100 % by something else.
    let burner: ChildProcess | null = null;
    const deadline = Date.now() + 30000;
    try {
      for (let i = 0; seen.size < 2 && Date.now() < deadline; i++) {
        if (i % 6 === 0) {
          if (burner) {
            burner.kill('SIGKILL');
            burner = null;
          } else {
            burner = burn(3000);
          }
        }
        const text = (await cpu.textContent()) ?? '';
        if (/^\d+(\.\d)?%$/.test(text)) seen.add(text);
        await page.waitForTimeout(500);
      }
    } finally {
      burner?.kill('SIGKILL');
    }
    expect([...seen].length).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-fleet.png'), fullPage: true });
  });

  it('opens the agent view with live charts', async () => {
    await page.getByTestId(`agent-tile-${hostAgent}`).click();
    await page.getByTestId('agent-view').waitFor();
    expect(page.url()).toContain(`#/agents/${encodeURIComponent(hostAgent)}`);
    await expect.poll(() => page.getByTestId('agent-status').textContent(), { timeout: 15000 }).toBe('live');
    await expect.poll(() => page.getByTestId('agent-cpu-now').textContent(), { timeout: 15000 }).toMatch(/^\d+(\.\d)?%$/);
    const points = async (): Promise<number> => Number(await page.getByTestId('chart-cpu').getAttribute('data-points'));
    await expect.poll(points, { timeout: 15000 }).toBeGreaterThan(1);
    const before = await points();
    await expect.poll(points, { timeout: 10000 }).toBeGreaterThan(before); // live samples keep arriving
    await page.getByTestId('system-card').getByText(/Kernel/).waitFor();
    await expect(page.locator('[data-testid="chart-cpu"] canvas').count()).resolves.toBeGreaterThan(0);
  });

  it('switches the time range and loads history for it', async () => {
    const grid = page.getByTestId('agent-grid');
    await page.locator('[data-testid="time-range"] button[data-range="1h"]').click();
    await expect.poll(() => grid.getAttribute('data-range')).toBe('1h');
    await expect.poll(() => grid.getAttribute('data-history-range'), { timeout: 15000 }).toBe('3600');
    expect(await grid.getAttribute('data-history-loading')).toBe('no');
    await expect.poll(async () => Number(await grid.getAttribute('data-history-points')), { timeout: 15000 }).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="time-range"] button[data-range="1h"]').getAttribute('aria-checked')).toBe('true');
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-agent.png'), fullPage: true });
  });

  it('changes the agent\'s sampling interval from the header control', async () => {
    const select = page.getByTestId('interval-select');
    await select.selectOption('2');
    await expect.poll(() => page.getByTestId('interval-note').textContent(), { timeout: 15000 }).toBe('Agent samples every 2 s');
    // the live samples now arrive 2 s apart
    const period = () => page.getByTestId('sample-period').getAttribute('data-seconds');
    await expect.poll(period, { timeout: 15000 }).toBe('2');
    await select.selectOption('1');
    await expect.poll(() => page.getByTestId('interval-note').textContent(), { timeout: 15000 }).toBe('Agent samples every 1 s');
    await expect.poll(period, { timeout: 15000 }).toBe('1');
  });

  it('shows an agent that goes away as disconnected, in the fleet and in its view', async () => {
    const id = 'web-e2e-leaving';
    const [dir, cleanup] = tempDir('nodelink-web-agent-');
    const agentProc = startAgentFor(inject('stackInfo'), id, dir);
    try {
      await page.goto(`${base}/#/`);
      const tile = page.getByTestId(`agent-tile-${id}`);
      await expect.poll(() => tile.getAttribute('data-status'), { timeout: 20000 }).toBe('connected');
      // listed by the broker is not yet sampled: wait for a sample, or the agent
      // view would rightly get 404 "no sample yet" for an agent that never sent one
      const cpu = page.getByTestId(`fleet-cpu-${id}`);
      await expect.poll(() => cpu.getAttribute('data-value'), { timeout: 20000 }).not.toBe('');
      expect(await agentProc.stopChecked()).toBeNull();
      await expect.poll(() => tile.getAttribute('data-status'), { timeout: 20000 }).toBe('disconnected');
      await tile.click();
      await page.getByTestId('disconnected-banner').waitFor({ timeout: 20000 });
      await expect.poll(() => page.getByTestId('agent-status').textContent(), { timeout: 15000 }).toBe('disconnected');
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-disconnected.png') });
    } finally {
      await agentProc.stop();
      cleanup();
    }
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe('dashboard behind authentication', () => {
  const TOKEN = 'e2e-admin-token-0123456789abcdefghijklmnopq';
  let gw: ExtraGateway;

  beforeAll(async () => {
    gw = new ExtraGateway();
    const tokens = gw.file('tokens.yaml', `tokens:\n  - name: e2e\n    hash: ${await tokenHash(TOKEN)}\n    role: admin\n`);
    await gw.start(inject('stackInfo'), [
      '--auth.enabled=true',
      `--auth.tokens_file=${tokens}`,
      `--http.static_dir=${join(import.meta.dirname, '..', '..', 'dist')}`,
    ]);
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('asks for a token after a 401, then shows the fleet and remembers the token', async () => {
    const p = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    try {
      await p.goto(`${gw.httpBase}/`);
      await p.getByTestId('token-dialog').waitFor({ timeout: 15000 });
      await p.screenshot({ path: join(ARTIFACTS, 'dashboard-token.png') });
      await p.getByTestId('token-input').fill('not-the-token');
      await p.getByTestId('token-dialog').locator('button[type=submit]').click();
      await p.getByTestId('token-dialog').getByText(/not accepted/).waitFor({ timeout: 15000 });
      await p.getByTestId('token-input').fill(TOKEN);
      await p.getByTestId('token-dialog').locator('button[type=submit]').click();
      await p.getByTestId(`agent-tile-${hostAgent}`).waitFor({ timeout: 15000 });
      await p.reload();
      await p.getByTestId(`agent-tile-${hostAgent}`).waitFor({ timeout: 15000 });
      expect(await p.getByTestId('token-dialog').count()).toBe(0);
    } finally {
      await p.close();
    }
  });
});
