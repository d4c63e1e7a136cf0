/** The dashboard's join of history and live points (pure logic, no server). */
import { describe, expect, it } from 'vitest';
import { SeriesBuffer, bufferFromHistory, joinSeries } from '../../src/app/series.js';

const m = (v: number) => new Map([['cpu.usage_percent', v]]);

describe('SeriesBuffer', () => {
  it('drops points that are not newer than the last one (SSE replay overlap)', () => {
    const b = new SeriesBuffer();
    expect(b.append(10, m(1))).toBe(true);
    expect(b.append(10, m(2))).toBe(false);
    expect(b.append(9, m(3))).toBe(false);
    expect(b.append(11, m(4))).toBe(true);
    expect(b.times).toEqual([10, 11]);
    expect(b.column('cpu.usage_percent')).toEqual([1, 4]);
  });

  it('back-fills a metric that appears later with nulls and keeps columns aligned', () => {
    const b = new SeriesBuffer();
    b.append(1, m(1));
    b.append(2, new Map([['load.load1', 0.5]]));
    expect(b.column('cpu.usage_percent')).toEqual([1, null]);
    expect(b.column('load.load1')).toEqual([null, 0.5]);
  });

  it('forgets the oldest points beyond its capacity', () => {
    const b = new SeriesBuffer(3);
    for (let t = 1; t <= 5; t++) b.append(t, m(t));
    expect(b.times).toEqual([3, 4, 5]);
    expect(b.column('cpu.usage_percent')).toEqual([3, 4, 5]);
  });
});

describe('joinSeries', () => {
  it('takes history before the first live point, then live, without duplicates or holes', () => {
    const history = bufferFromHistory([
      { timestamp: 100, 'cpu.usage_percent': 1 },
      { timestamp: 102, 'cpu.usage_percent': 2 },
      { timestamp: 101, 'cpu.usage_percent': 9 }, // unsorted input
      { timestamp: 103, 'cpu.usage_percent': 3 },
    ]);
    const live = new SeriesBuffer();
    live.append(103, m(30));
    live.append(104, m(40));
    const j = joinSeries(history, live, ['cpu.usage_percent', 'memory.usage_percent'], 101);
    expect(j.times).toEqual([101, 102, 103, 104]);
    expect(j.values[0]).toEqual([9, 2, 30, 40]);
    expect(j.values[1]).toEqual([null, null, null, null]);
  });

  it('shows history alone before the first live sample', () => {
    const history = bufferFromHistory([{ timestamp: 5, 'cpu.usage_percent': 1 }]);
    const j = joinSeries(history, new SeriesBuffer(), ['cpu.usage_percent'], 0);
    expect(j.times).toEqual([5]);
  });
});
