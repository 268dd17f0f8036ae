import { downsample, kpiSeries } from './kpi-series.ts';
import { unitOf, type ChartSpec, type Kpi, type KpiHistory, type KpiPoint } from './kpi.types.ts';

/** What to draw, without the data: small enough for an outbox item; `buildChart` reads the history. */
export interface ChartRequest {
  title: string;
  kpi: Kpi;
  /** One line per node; empty with `chain` set = every node of that chain, network and environment. */
  nodes: string[];
  chain?: { env: string; chain: string; network: string };
  /** Nodes whose heads make the reference for `lag` (the group's); @defaultValue `nodes` */
  reference?: string[];
  from: number;
  /** @defaultValue now */
  to?: number;
  threshold?: number;
  /** The firing span; an open end runs to `to`. */
  shade?: { from: number; to?: number };
}

/** Most points drawn per line (the chart is 800 px wide): longer histories are downsampled to this. */
export const MAX_POINTS = 400;

/** The chart of a request from the stored history; `bucketMs` is the sweep interval. */
export async function buildChart(req: ChartRequest, history: KpiHistory, now: number, bucketMs: number): Promise<ChartSpec> {
  const to = req.to ?? now;
  const names = [...new Set([...req.nodes, ...(req.kpi === 'lag' ? (req.reference ?? []) : [])])];
  const points = new Map<string, KpiPoint[]>();
  for (const n of names) points.set(n, await history.kpiHistory(n, req.from, to));
  const series = kpiSeries(req.kpi, points, bucketMs)
    .filter((s) => req.nodes.includes(s.name))
    .map((s) => ({ name: s.name, points: downsample(s.points, MAX_POINTS) }));
  return {
    title: req.title,
    kpi: req.kpi,
    unit: unitOf(req.kpi),
    from: req.from,
    to,
    series,
    ...(req.threshold !== undefined ? { threshold: req.threshold } : {}),
    ...(req.shade ? { shade: { from: Math.max(req.from, req.shade.from), to: Math.min(to, req.shade.to ?? to) } } : {}),
  };
}
