import type { ChartSpec } from '../../src/charts/kpi.types.ts';
import { showChartValue } from '../../src/charts/chart-text.ts';

/** Size and colours of a chart; the defaults suit a chat thread preview. */
export interface ChartStyle {
  /** @defaultValue 800 */
  width: number;
  /** @defaultValue 360 */
  height: number;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#d62728'];
const M = { left: 64, right: 16, top: 44, bottom: 36 };
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1, 2 or 5 × 10^n steps giving about `count` ticks over [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** The value range drawn: the data and the threshold, from 0 for counts and times (not for head heights). */
function yRange(spec: ChartSpec): [number, number] {
  const vals = spec.series.flatMap((s) => s.points.map((p) => p[1]).filter((v): v is number => v !== null));
  if (spec.threshold !== undefined) vals.push(spec.threshold);
  if (vals.length === 0) return [0, 1];
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (spec.kpi !== 'head') lo = Math.min(0, lo);
  if (hi === lo) hi = lo + 1;
  const pad = (hi - lo) * 0.08;
  return [spec.kpi === 'head' ? lo - pad : lo, hi + pad];
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** Where a time and a value land in the image (pixels), for a spec and size. */
export function plotScale(spec: ChartSpec, style: Partial<ChartStyle> = {}): { x: (t: number) => number; y: (v: number) => number; width: number; height: number } {
  const W = style.width ?? 800;
  const H = style.height ?? 360;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const span = Math.max(1, spec.to - spec.from);
  const [lo, hi] = yRange(spec);
  return { x: (t) => M.left + ((t - spec.from) / span) * pw, y: (v) => M.top + ph - ((v - lo) / (hi - lo)) * ph, width: W, height: H };
}

/** The colour of the i-th series (`#rrggbb`). */
export function seriesColour(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

/**
 * The chart as SVG text: one polyline per series (a gap where a node was unreachable), the
 * threshold dashed, the firing span shaded, time on x (UTC), the KPI on y, a legend.
 */
export function chartSvg(spec: ChartSpec, style: Partial<ChartStyle> = {}): string {
  const W = style.width ?? 800;
  const H = style.height ?? 360;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const [lo, hi] = yRange(spec);
  const { x, y } = plotScale(spec, style);
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="20" font-size="14" font-weight="bold" fill="#222">${esc(spec.title.slice(0, 110))}</text>`,
  ];
  if (spec.shade && spec.shade.to > spec.shade.from) {
    const x0 = Math.max(M.left, x(spec.shade.from));
    parts.push(`<rect class="shade" x="${f(x0)}" y="${M.top}" width="${f(Math.max(1, x(spec.shade.to) - x0))}" height="${ph}" fill="#d62728" fill-opacity="0.12"/>`);
  }
  for (const v of niceTicks(lo, hi)) {
    if (v < lo || v > hi) continue;
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${M.left - 6}" y="${f(y(v) + 4)}" text-anchor="end" fill="#555">${esc(showChartValue(spec, v))}</text>`);
  }
  const xTicks = niceTicks(spec.from / 60_000, spec.to / 60_000, 6).map((m) => m * 60_000).filter((t) => t >= spec.from && t <= spec.to);
  for (const t of xTicks) parts.push(`<text x="${f(x(t))}" y="${H - M.bottom + 16}" text-anchor="middle" fill="#555">${hhmm(t)}</text>`);
  parts.push(`<text x="${M.left - 6}" y="${H - 4}" text-anchor="end" fill="#888">UTC</text>`);
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  if (spec.threshold !== undefined) {
    const ty = f(y(spec.threshold));
    parts.push(`<line class="threshold" x1="${M.left}" x2="${W - M.right}" y1="${ty}" y2="${ty}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  }
  spec.series.forEach((s, i) => {
    const colour = seriesColour(i);
    let d = '';
    let pen = false;
    for (const [t, v] of s.points) {
      if (v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(x(t))} ${f(y(v))}`;
      pen = true;
    }
    // Round caps draw a lone point between two gaps as a dot.
    if (d) parts.push(`<path class="series" data-node="${esc(s.name)}" d="${d}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`);
    const lx = M.left + 8 + (i % 4) * 180;
    const ly = M.top + 14 + Math.floor(i / 4) * 16;
    if (i < 12) parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${colour}"/><text x="${lx + 14}" y="${ly}" fill="#222">${esc(s.name.slice(0, 24))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
