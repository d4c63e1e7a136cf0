/** metricInstance() must build the instance part exactly as the gateway does (proto/metricname.c). */
import { describe, expect, it } from 'vitest';
import { flattenSample, metricInstance } from '../../src/lib/index.js';

describe('metricInstance', () => {
  it('keeps the basename of a device path', () => {
    expect(metricInstance('/dev/sda1')).toBe('sda1');
    expect(metricInstance('/dev/mapper/vg-root')).toBe('vg-root');
  });

  it('replaces each UTF-8 byte outside [A-Za-z0-9_.-] with an underscore', () => {
    expect(metricInstance('eth0:1')).toBe('eth0_1');
    expect(metricInstance('wé')).toBe('w__');
  });

  it('truncates to 64 bytes and is never empty', () => {
    expect(metricInstance('x'.repeat(80))).toBe('x'.repeat(64));
    expect(metricInstance('')).toBe('_');
    expect(metricInstance('/dev/')).toBe('_');
  });
});

describe('flattenSample', () => {
  it('names every scalar as the history API does', () => {
    const names = flattenSample({
      timestamp: 1,
      cpu: { usage_percent: 5, core_usage: [1, 2] },
      disks: [{ device: '/dev/vda1', mount_point: '/', read_bytes_per_sec: 7 }],
      network_interfaces: [{ interface: 'lo', bytes_recv_per_sec: 3 }],
      processes: { total_processes: 9 },
      load: { load1: 0.5 },
    });
    expect([...names.entries()]).toEqual([
      ['cpu.usage_percent', 5],
      ['cpu.core.0.usage_percent', 1],
      ['cpu.core.1.usage_percent', 2],
      ['disk.vda1.read_bytes_per_sec', 7],
      ['net.lo.bytes_recv_per_sec', 3],
      ['processes.total', 9],
      ['load.load1', 0.5],
    ]);
  });
});
