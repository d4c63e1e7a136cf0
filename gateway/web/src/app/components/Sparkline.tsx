/**
 * A tiny uPlot line without axes, legend or cursor: the recent trend of one
 * value (the fleet tiles' CPU). `values` are [Unix seconds, value] pairs.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export function Sparkline({ points, color, max = 100 }: { points: [number, number][]; color: string; max?: number }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const u = new uPlot(
      {
        width: Math.max(el.clientWidth, 60),
        height: 36,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: false }, y: { range: () => [0, max] } },
        series: [{}, { stroke: color, width: 1.5, fill: `${color}22`, points: { show: false } }],
      },
      [[], []],
      el,
    );
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(el.clientWidth, 60), height: 36 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [color, max]);

  useEffect(() => {
    plot.current?.setData([points.map((p) => p[0]), points.map((p) => p[1])]);
  }, [points]);

  return <div ref={holder} className="sparkline" aria-hidden="true" />;
}
