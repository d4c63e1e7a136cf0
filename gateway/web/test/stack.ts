/**
 * A private nodelink stack for the tests: redis-server and the real binaries
 * (broker, store, gateway, agents) on free loopback ports, each with its
 * output in a log file under a temporary directory.
 *
 *   const stack = await Stack.start({ staticDir: 'dist' });
 *   await stack.startAgent('a1');            // --agent.id=a1, 1 s interval
 *   ... stack.apiBase, stack.httpBase ...
 *   await stack.stop();                      // every process started is stopped
 *
 * Binaries come from $NODELINK_BUILD_DIR/bin (default <repo>/build/bin).
 * Every process is stopped by stop(): SIGTERM, then SIGKILL after 5 s; a
 * process 'exit' hook SIGKILLs whatever is still alive if a test run dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..', '..', '..');
export const BUILD = process.env['NODELINK_BUILD_DIR'] ?? join(REPO, 'build');
export const BIN = join(BUILD, 'bin');
const LOOPBACK = '127.0.0.1';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, LOOPBACK, () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

export async function waitFor<T>(
  pred: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  what: string,
  timeoutMs = 15000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await pred();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

export class Proc {
  readonly child: ChildProcess;
  readonly logPath: string;
  private exited: Promise<number | null>;

  constructor(readonly name: string, readonly argv: string[], dir: string) {
    this.logPath = join(dir, `${name}.log`);
    const fd = openSync(this.logPath, 'a');
    const [cmd, ...args] = argv;
    this.child = spawn(cmd as string, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    live.add(this.child);
    this.exited = new Promise((res) => {
      this.child.on('exit', (code, sig) => {
        live.delete(this.child);
        res(code ?? (sig ? -1 : null));
      });
      this.child.on('error', () => {
        live.delete(this.child);
        res(-1);
      });
    });
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && live.has(this.child);
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Stops the process; returns a description of what went wrong (a non-zero
   * exit status, or a sanitizer report in its output), or null.
   */
  async stopChecked(timeoutMs = 5000): Promise<string | null> {
    const code = await this.stop(timeoutMs);
    const log = this.log();
    const san = /ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:/.exec(log);
    if (code !== 0 || san) return `${this.name}: exit status ${String(code)}${san ? ', sanitizer report' : ''}\n${log.slice(-3000)}`;
    return null;
  }

  async stop(timeoutMs = 5000): Promise<number | null> {
    if (this.alive()) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      const code = await this.exited;
      clearTimeout(t);
      return code;
    }
    return this.exited;
  }
}

function pingRedis(port: number): Promise<boolean> {
  return new Promise((res) => {
    const c = createConnection({ host: LOOPBACK, port }, () => c.write('PING\r\n'));
    c.setTimeout(1000, () => {
      c.destroy();
      res(false);
    });
    c.on('data', (d) => {
      c.destroy();
      res(d.toString().startsWith('+PONG'));
    });
    c.on('error', () => res(false));
  });
}

export interface StackOptions {
  /** Directory the gateway serves at / (http.static_dir). */
  staticDir?: string;
  /** Extra gateway arguments (e.g. auth). */
  gatewayArgs?: string[];
}

export class Stack {
  readonly dir = mkdtempSync(join(tmpdir(), 'nodelink-web-test-'));
  readonly procs: Proc[] = [];
  ports: Record<'redis' | 'frontend' | 'backend' | 'agents' | 'clients' | 'http', number> = {
    redis: 0, frontend: 0, backend: 0, agents: 0, clients: 0, http: 0,
  };

  static async start(opts: StackOptions = {}): Promise<Stack> {
    const s = new Stack();
    try {
      await s.boot(opts);
    } catch (e) {
      s.dumpLogs();
      await s.stop();
      throw e;
    }
    return s;
  }

  static binariesPresent(): boolean {
    return ['nodelink-broker', 'nodelink-store', 'nodelink-gateway', 'nodelink-agent'].every((b) =>
      existsSync(join(BIN, b)),
    );
  }

  ep(name: 'frontend' | 'backend' | 'agents' | 'clients'): string {
    return `tcp://${LOOPBACK}:${this.ports[name]}`;
  }

  get redisUrl(): string {
    return `redis://${LOOPBACK}:${this.ports.redis}`;
  }

  get httpBase(): string {
    return `http://${LOOPBACK}:${this.ports.http}`;
  }

  /** The API root the dashboard uses (`/api` prefix). */
  get apiBase(): string {
    return `${this.httpBase}/api`;
  }

  private async boot(opts: StackOptions): Promise<void> {
    for (const k of Object.keys(this.ports) as (keyof Stack['ports'])[]) this.ports[k] = await freePort();
    this.spawn('redis', ['redis-server', '--port', String(this.ports.redis), '--bind', LOOPBACK, '--dir',
      this.dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no']);
    await waitFor(() => pingRedis(this.ports.redis), 'redis-server to answer PING');
    this.spawn('broker', [join(BIN, 'nodelink-broker'), `--broker.frontend=${this.ep('frontend')}`,
      `--broker.backend=${this.ep('backend')}`, `--broker.agents=${this.ep('agents')}`,
      `--broker.clients=${this.ep('clients')}`]);
    this.spawn('store', [join(BIN, 'nodelink-store'), `--broker.subscribe_endpoint=${this.ep('backend')}`,
      `--redis.url=${this.redisUrl}`]);
    await this.startGateway('gateway', this.ports.http, opts);
    this.assertAlive();
  }

  /** Starts a gateway on port (its own http.listen) joined to this stack. */
  async startGateway(name: string, port: number, opts: StackOptions = {}): Promise<Proc> {
    const argv = [join(BIN, 'nodelink-gateway'), `--http.listen=${LOOPBACK}:${port}`,
      `--broker.subscribe_endpoint=${this.ep('backend')}`, `--broker.client_endpoint=${this.ep('clients')}`,
      `--redis.url=${this.redisUrl}`, '--auth.enabled=false'];
    if (opts.staticDir) argv.push(`--http.static_dir=${resolve(opts.staticDir)}`);
    argv.push(...(opts.gatewayArgs ?? []));
    const p = this.spawn(name, argv);
    await waitFor(async () => {
      if (!p.alive()) throw new Error(`${name} exited:\n${p.log().slice(-3000)}`);
      const r = await fetch(`http://${LOOPBACK}:${port}/healthz`);
      return r.status === 200;
    }, `${name} /healthz`);
    return p;
  }

  /** An agent sampling every second; without id it uses the host name (the agent's default). */
  startAgent(id: string | null, ...args: string[]): Proc {
    const argv = [join(BIN, 'nodelink-agent'), `--broker.publish_endpoint=${this.ep('frontend')}`,
      `--broker.control_endpoint=${this.ep('agents')}`, '--metrics.collection_interval=1s'];
    if (id !== null) argv.push(`--agent.id=${id}`);
    return this.spawn(`agent-${id ?? 'host'}`, [...argv, ...args]);
  }

  spawn(name: string, argv: string[]): Proc {
    const p = new Proc(name, argv, this.dir);
    this.procs.push(p);
    return p;
  }

  assertAlive(): void {
    for (const p of this.procs) if (!p.alive()) throw new Error(`${p.name} exited:\n${p.log().slice(-3000)}`);
  }

  dumpLogs(): void {
    for (const p of this.procs) console.error(`----- ${p.name} log -----\n${p.log().slice(-4000)}`);
  }

  /** Stops everything; returns the problems stopChecked() found (empty when clean). */
  async stop(): Promise<string[]> {
    const problems: string[] = [];
    for (const p of [...this.procs].reverse()) {
      const why = await p.stopChecked();
      if (why) problems.push(why);
    }
    this.procs.length = 0;
    rmSync(this.dir, { recursive: true, force: true });
    return problems;
  }
}

/** Endpoints of a running stack, as global-setup provides them to test files. */
export interface StackInfo {
  frontend: string;
  agents: string;
  backend: string;
  clients: string;
  redisUrl: string;
}

/** `blake2b:<hex>` of a token, as the gateway's tokens file stores it. */
export async function tokenHash(token: string): Promise<string> {
  const tool = join(BIN, 'nodelink-gateway-token');
  const [cmd, args] = existsSync(tool)
    ? [tool, ['hash', token]]
    : ['/usr/bin/python3', ['-c', 'import hashlib,sys;print("blake2b:"+hashlib.blake2b(sys.argv[1].encode(),digest_size=32).hexdigest())', token]];
  const out = await new Promise<string>((res, rej) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let s = '';
    p.stdout.on('data', (d: Buffer) => (s += d.toString()));
    p.on('exit', (code) => (code === 0 ? res(s) : rej(new Error(`${cmd} exited ${code}`))));
    p.on('error', rej);
  });
  const m = /blake2b:[0-9a-f]{64}/.exec(out);
  if (!m) throw new Error(`no hash in output of ${cmd}: ${out}`);
  return m[0];
}

/**
 * A second gateway joined to a running stack (e.g. with authentication on),
 * with its own log directory. stop() stops it and removes the directory.
 */
export class ExtraGateway {
  readonly dir = mkdtempSync(join(tmpdir(), 'nodelink-web-gw-'));
  proc: Proc | null = null;
  port = 0;

  get httpBase(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  get apiBase(): string {
    return `${this.httpBase}/api`;
  }

  /** Writes a file in this gateway's directory; returns its path. */
  file(name: string, text: string): string {
    const p = join(this.dir, name);
    writeFileSync(p, text);
    return p;
  }

  async start(info: StackInfo, args: string[]): Promise<this> {
    this.port = await freePort();
    const argv = [join(BIN, 'nodelink-gateway'), `--http.listen=${LOOPBACK}:${this.port}`,
      `--broker.subscribe_endpoint=${info.backend}`, `--broker.client_endpoint=${info.clients}`,
      `--redis.url=${info.redisUrl}`, ...args];
    const p = new Proc('gateway-extra', argv, this.dir);
    this.proc = p;
    await waitFor(async () => {
      if (!p.alive()) throw new Error(`gateway exited:\n${p.log().slice(-3000)}`);
      const r = await fetch(`${this.httpBase}/healthz`);
      return r.status === 200;
    }, 'extra gateway /healthz');
    return this;
  }

  /** Stops the gateway; throws when it did not exit cleanly (status, sanitizer report). */
  async stop(): Promise<void> {
    const why = this.proc ? await this.proc.stopChecked() : null;
    rmSync(this.dir, { recursive: true, force: true });
    if (why) throw new Error(why);
  }
}

/** An agent joined to a running stack (logs in dir), sampling every second. */
export function startAgentFor(info: StackInfo, id: string, dir: string, ...args: string[]): Proc {
  return new Proc(`agent-${id}`, [join(BIN, 'nodelink-agent'), `--agent.id=${id}`,
    `--broker.publish_endpoint=${info.frontend}`, `--broker.control_endpoint=${info.agents}`,
    '--metrics.collection_interval=1s', ...args], dir);
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): [string, () => void] {
  const d = mkdtempSync(join(tmpdir(), prefix));
  return [d, () => rmSync(d, { recursive: true, force: true })];
}
