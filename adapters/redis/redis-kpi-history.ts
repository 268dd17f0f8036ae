import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import type { KpiPoint } from '../../src/charts/kpi.types.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';

/** How much KPI history is kept per node. @defaultValue 24 h */
export const KPI_KEEP_MS = 86_400_000;

/**
 * A node's KPI history is a sorted set scored by the start of its time bucket (the sweep interval):
 * one point per bucket, the last check in it wins, so rechecks of a pending alert do not grow it.
 * 24 h at 30 s is 2 880 points of about 60 bytes per node.
 */
export function addKpiPoint(tx: ChainableCommander, key: string, s: Snapshot, bucketMs: number, keepMs = KPI_KEEP_MS): void {
  const bucket = Math.floor(s.at / bucketMs) * bucketMs;
  const point = [s.at, s.reachable ? 1 : 0, s.head ?? null, s.headTime ?? null, s.peers ?? null, Math.round(s.latencyMs)];
  tx.zremrangebyscore(key, bucket, bucket);
  tx.zadd(key, bucket, JSON.stringify(point));
  tx.zremrangebyscore(key, '-inf', `(${s.at - keepMs}`);
  tx.pexpire(key, keepMs + bucketMs);
}

const stored = z.tuple([z.number(), z.union([z.literal(0), z.literal(1)]), z.number().nullable(), z.number().nullable(), z.number().nullable(), z.number()]);

/** Points of one node with `from <= at <= to`, oldest first; a malformed entry is skipped. */
export async function readKpiHistory(redis: Redis, key: string, from: number, to: number, bucketMs: number): Promise<KpiPoint[]> {
  const raws = await redis.zrangebyscore(key, Math.floor(from / bucketMs) * bucketMs, to);
  const out: KpiPoint[] = [];
  for (const raw of raws) {
    let parsed;
    try {
      parsed = stored.safeParse(JSON.parse(raw));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    const [at, reachable, head, headTime, peers, latencyMs] = parsed.data;
    if (at < from || at > to) continue;
    out.push({ at, reachable: reachable === 1, latencyMs, ...(head !== null ? { head } : {}), ...(headTime !== null ? { headTime } : {}), ...(peers !== null ? { peers } : {}) });
  }
  return out;
}
