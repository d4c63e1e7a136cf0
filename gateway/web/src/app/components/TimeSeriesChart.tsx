/**
 * A uPlot line/area chart bound to React.
 *
 * The uPlot instance is created when what it draws changes (series labels,
 * colours, fill, width and the y range, compared by value through `spec`:
 * callers build these arrays on every render) and otherwise only fed with
 * setData(), which is cheap (uPlot redraws a canvas; no DOM per point). The x
 * window is [from, to] in Unix seconds and the formatters are props too; uPlot
 * reads them through refs, updated after each render, so the chart slides with
 * the clock without being rebuilt. Width follows the container
 * (ResizeObserver).
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Column } from '../series.js';

export interface ChartSeries {
  label: string;
  color: string;
  /** Fill under the line (area chart). */
  fill?: boolean;
  width?: number;
}

export interface TimeSeriesChartProps {
  title: string;
  series: ChartSeries[];
  times: number[];
  values: Column[];
  /** Unix seconds of the window's left and right edges. */
  from: number;
  to: number;
  /** Formats legend values (and axis ticks unless axisFormat is given). */
  format: (v: number) => string;
  /** Shorter formatting for the y axis. */
  axisFormat?: (v: number) => string;
  /** Fixed y range (e.g. [0, 100] for percentages); automatic otherwise. */
  yRange?: [number, number];
  height?: number;
  testId?: string;
}

/** What a uPlot instance is built from. */
interface ChartSpec {
  series: ChartSeries[];
  yRange: [number, number] | null;
}

const AXIS = '#8b95a7';
const GRID = 'rgba(139,149,167,0.12)';

export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const { title, series, times, values, from, to, format, axisFormat, yRange, height = 200, testId } = props;
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const win = useRef({ from, to });
  const fmt = useRef(format);
  const axisFmt = useRef(axisFormat);
  const spec = JSON.stringify({ series, yRange: yRange ?? null });

  // First of the effects, so the ones below draw with this render's values.
  useEffect(() => {
    win.current = { from, to };
    fmt.current = format;
    axisFmt.current = axisFormat;
  });

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const { series, yRange } = JSON.parse(spec) as ChartSpec;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: () => [win.current.from, win.current.to] },
        y: yRange
          ? { range: () => [yRange[0], yRange[1]] }
          : { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max((max ?? 1) * 1.1, 1e-9)] },
      },
      axes: [
        { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 } },
        {
          stroke: AXIS,
          size: 84,
          grid: { stroke: GRID, width: 1 },
          ticks: { stroke: GRID, width: 1 },
          values: (_u, vals) => vals.map((v) => (axisFmt.current ?? fmt.current)(v)),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 1.5,
          fill: s.fill ? `${s.color}22` : undefined,
          spanGaps: false,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : fmt.current(v)),
        })),
      ],
    };
    const u = new uPlot(opts, [[]], el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(el.clientWidth, 200);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [spec, height]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData([times, ...values] as uPlot.AlignedData, true);
    // without a hovering cursor the legend shows the latest values
    if (times.length > 0 && (u.cursor.left ?? -1) < 0) u.setLegend({ idx: times.length - 1 });
  }, [times, values, from, to, spec]);

  return (
    <div className="chart" data-testid={testId} data-points={times.length}>
      <div className="chart-title">{title}</div>
      <div ref={holder} className="chart-canvas" />
      {times.length === 0 && <div className="chart-empty">No data in this range yet</div>}
    </div>
  );
}

/** A palette readable on the dark background. */
export const PALETTE = [
  '#4cc9f0', '#f72585', '#b5e48c', '#ffd166', '#c77dff', '#ff9f1c',
  '#2ec4b6', '#ef476f', '#06d6a0', '#118ab2', '#e9c46a', '#f4a261',
];

export const color = (i: number): string => PALETTE[i % PALETTE.length] as string;
