import type { Block } from '../chat/message.ts';
import type { ChartSpec } from './kpi.types.ts';
import { sparkline } from './sparkline.ts';

/** A value in the chart's unit as people read it: `12`, `3.2s`. */
export function showChartValue(spec: Pick<ChartSpec, 'unit'>, v: number): string {
  if (spec.unit !== 'ms') return String(Math.round(v * 100) / 100);
  return v >= 10_000 ? `${Math.round(v / 1000)}s` : v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`;
}

/** One sparkline per series with its last value, min and max: the chart for text-only terminals. */
export function sparklineBlock(spec: ChartSpec, width = 48): Block {
  const nameWidth = Math.max(4, ...spec.series.map((s) => s.name.length));
  const lines = spec.series.map((s) => {
    const vals = s.points.map((p) => p[1]);
    const nums = vals.filter((v): v is number => v !== null);
    const last = [...vals].reverse().find((v) => v !== null);
    const stats = nums.length
      ? `now ${last === null || last === undefined ? '—' : showChartValue(spec, last)}  min ${showChartValue(spec, Math.min(...nums))}  max ${showChartValue(spec, Math.max(...nums))}`
      : 'no data';
    return `${s.name.padEnd(nameWidth)} ${sparkline(vals, width) || '(no points)'}  ${stats}`;
  });
  return { type: 'code', text: lines.length ? lines.join('\n') : 'no nodes to chart' };
}
