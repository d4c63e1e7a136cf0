/**
 * The dotted metric namespace as seen from TypeScript.
 *
 * The gateway names every scalar of a sample `<group>[.<instance>].<field>`
 * (cpu.usage_percent, cpu.core.3.usage_percent, disk.sda1.read_bytes_per_sec,
 * net.eth0.bytes_recv_per_sec, load.load1, processes.total, task.<id>.cpu_percent).
 * The same names key the history answers. `flattenSample()` produces them
 * from a snapshot so that live samples and history points share one keying;
 * field names are not listed here: they are the JSON keys of the sample,
 * which the gateway takes from the same protobuf fields as the namespace.
 * Exceptions to "group.field" follow the server's table: the processes
 * counts (`total_processes` -> `processes.total`) and per-task sums.
 */
import type { MetricsSnapshot } from './types.js';

const INSTANCE_MAX = 64;

/**
 * The instance part of a device or interface name, as the gateway builds it:
 * basename only ("/dev/sda1" -> "sda1"), at most 64 bytes of its UTF-8,
 * each byte outside [A-Za-z0-9_.-] replaced with '_', never empty.
 */
export function metricInstance(raw: string): string {
  // The gateway works on UTF-8 bytes: a non-ASCII character is one '_' per byte.
  const slash = raw.lastIndexOf('/');
  const bytes = new TextEncoder().encode(slash >= 0 ? raw.slice(slash + 1) : raw).subarray(0, INSTANCE_MAX);
  let out = '';
  for (const b of bytes) {
    const ok = (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x2e || b === 0x2d;
    out += ok ? String.fromCharCode(b) : '_';
  }
  return out.length > 0 ? out : '_';
}

export const diskMetric = (device: string, field: string): string => `disk.${metricInstance(device)}.${field}`;
export const netMetric = (iface: string, field: string): string => `net.${metricInstance(iface)}.${field}`;
export const coreMetric = (core: number): string => `cpu.core.${core}.usage_percent`;

const PROCESS_COUNTS: Record<string, string> = {
  total_processes: 'processes.total',
  running_processes: 'processes.running',
  sleeping_processes: 'processes.sleeping',
  zombie_processes: 'processes.zombie',
};

function scalars(prefix: string, obj: object | undefined, out: Map<string, number>, skip?: Set<string>): void {
  if (!obj) return;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'number' && Number.isFinite(v) && !skip?.has(k)) out.set(`${prefix}.${k}`, v);
  }
}

const DEVICE_KEYS = new Set(['device', 'mount_point', 'interface']);

/** Every numeric scalar of a sample under its dotted metric name. */
export function flattenSample(s: MetricsSnapshot): Map<string, number> {
  const out = new Map<string, number>();
  scalars('cpu', s.cpu, out);
  s.cpu?.core_usage?.forEach((v, i) => {
    if (Number.isFinite(v)) out.set(coreMetric(i), v);
  });
  scalars('memory', s.memory, out);
  for (const d of s.disks ?? []) scalars(`disk.${metricInstance(d.device)}`, d, out, DEVICE_KEYS);
  for (const n of s.network_interfaces ?? []) scalars(`net.${metricInstance(n.interface)}`, n, out, DEVICE_KEYS);
  if (s.processes) {
    for (const [k, name] of Object.entries(PROCESS_COUNTS)) {
      const v = (s.processes as Record<string, unknown>)[k];
      if (typeof v === 'number') out.set(name, v);
    }
  }
  scalars('load', s.load, out);
  return out;
}
