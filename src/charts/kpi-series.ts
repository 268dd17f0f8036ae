import { referenceHead } from '../health/fleet-health.ts';
import type { ChartSeries, Kpi, KpiPoint } from './kpi.types.ts';

/**
 * One series per node for `kpi` from the stored points. `lag` is measured against the reference
 * head of the nodes given (the group's, as the health view does), taken per sweep bucket: the nodes
 * of one sweep land in one bucket. An unreachable check is a gap.
 */
export function kpiSeries(kpi: Kpi, history: ReadonlyMap<string, readonly KpiPoint[]>, bucketMs: number): ChartSeries[] {
  const refs = kpi === 'lag' ? referenceByBucket(history, bucketMs) : undefined;
  return [...history.entries()].map(([name, points]) => ({
    name,
    points: points.map((p): [number, number | null] => [p.at, valueOf(kpi, p, refs?.get(bucketOf(p.at, bucketMs)))]),
  }));
}

function bucketOf(at: number, bucketMs: number): number {
  return Math.floor(at / Math.max(1, bucketMs));
}

function valueOf(kpi: Kpi, p: KpiPoint, reference: number | undefined): number | null {
  if (!p.reachable) return null;
  switch (kpi) {
    case 'head': return p.head ?? null;
    case 'lag': return p.head !== undefined && reference !== undefined ? Math.max(0, reference - p.head) : null;
    case 'head_age': return p.headTime !== undefined ? Math.max(0, p.at - p.headTime) : null;
    case 'peers': return p.peers ?? null;
    case 'latency': return p.latencyMs;
  }
}

function referenceByBucket(history: ReadonlyMap<string, readonly KpiPoint[]>, bucketMs: number): Map<number, number> {
  const heads = new Map<number, number[]>();
  for (const points of history.values()) {
    for (const p of points) {
      if (!p.reachable || p.head === undefined) continue;
      const b = bucketOf(p.at, bucketMs);
      heads.set(b, [...(heads.get(b) ?? []), p.head]);
    }
  }
  const out = new Map<number, number>();
  for (const [b, list] of heads) {
    const r = referenceHead(list);
    if (r !== undefined) out.set(b, r);
  }
  return out;
}

/**
 * At most `max` points per series: each run of points becomes its min and max (in time order), so a
 * spike survives downsampling. A gap stays a gap.
 */
export function downsample(points: ReadonlyArray<[number, number | null]>, max: number): Array<[number, number | null]> {
  if (points.length <= max) return points.map((p) => [p[0], p[1]]);
  const per = Math.ceil(points.length / Math.max(1, Math.floor(max / 2)));
  const out: Array<[number, number | null]> = [];
  for (let i = 0; i < points.length; i += per) {
    const run = points.slice(i, i + per);
    const vals = run.filter((p): p is [number, number] => p[1] !== null);
    if (vals.length === 0) {
      out.push([run[0]![0], null]);
      continue;
    }
    const lo = vals.reduce((a, b) => (b[1] < a[1] ? b : a));
    const hi = vals.reduce((a, b) => (b[1] > a[1] ? b : a));
    if (lo === hi) out.push([lo[0], lo[1]]);
    else out.push(...(lo[0] <= hi[0] ? [lo, hi] : [hi, lo]).map((p): [number, number] => [p[0], p[1]]));
  }
  return out;
}
