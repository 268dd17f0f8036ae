/** The KPIs a chart can show; `head_age` and `latency` are in ms, the others are counts. */
export const KPIS = ['head', 'lag', 'head_age', 'peers', 'latency'] as const;
export type Kpi = (typeof KPIS)[number];

/** The slice of one health check a chart needs: kept 24 h per node, one per sweep interval. */
export interface KpiPoint {
  /** When the check finished (epoch ms). */
  at: number;
  reachable: boolean;
  head?: number;
  /** Timestamp of the head block (epoch ms). */
  headTime?: number;
  peers?: number;
  latencyMs: number;
}

/** Reads the stored KPI history (Redis in production). */
export interface KpiHistory {
  /** Points of one node with `from <= at <= to`, oldest first. */
  kpiHistory(node: string, from: number, to: number): Promise<KpiPoint[]>;
}

/** One line of a chart: `[time, value]` pairs in time order; `null` is a gap (node unreachable). */
export interface ChartSeries {
  name: string;
  points: Array<[number, number | null]>;
}

/** Everything a renderer needs to draw a KPI chart; plain data, so it travels in the outbox as JSON. */
export interface ChartSpec {
  title: string;
  kpi: Kpi;
  /** `ms` values are drawn as seconds. */
  unit: 'blocks' | 'peers' | 'ms';
  from: number;
  to: number;
  series: ChartSeries[];
  /** The alert rule's limit, drawn as a dashed line. */
  threshold?: number;
  /** The firing span, shaded. */
  shade?: { from: number; to: number };
}

/** The unit a KPI is measured in. */
export function unitOf(kpi: Kpi): ChartSpec['unit'] {
  return kpi === 'head_age' || kpi === 'latency' ? 'ms' : kpi === 'peers' ? 'peers' : 'blocks';
}
