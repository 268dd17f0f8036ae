import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import type { KpiPoint } from '../../src/charts/kpi.types.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';

/** How much KPI history is kept per node. @defaultValue 24 h */
export const KPI_KEEP_MS = 86_400_000;

/**
 * Push a point, or replace the newest one when it is in the same bucket (rechecks of a pending alert
 * do not grow the list); trim to a day of buckets. A list, not a sorted set: about a third of the memory.
 */
const PUSH_POINT = `
local top = redis.call('LINDEX', KEYS[1], 0)
if top and tonumber(string.match(top, '^%[(%d+)')) >= tonumber(ARGV[2]) then
  redis.call('LSET', KEYS[1], 0, ARGV[1])
else
  redis.call('LPUSH', KEYS[1], ARGV[1])
end
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

/**
 * A node's KPI history: a list, newest first, one compact point per sweep-interval bucket (the last
 * check in the bucket wins). 24 h at 30 s is 2 880 points, about 130 kB per node.
 */
export function addKpiPoint(tx: ChainableCommander, key: string, s: Snapshot, bucketMs: number, keepMs = KPI_KEEP_MS): void {
  const bucketStart = Math.floor(s.at / bucketMs) * bucketMs;
  // [at, reachable, head, head age (ms), peers, latency]: the age is shorter than the head's timestamp.
  const point = [s.at, s.reachable ? 1 : 0, s.head ?? null, s.headTime !== undefined ? s.at - s.headTime : null, s.peers ?? null, Math.round(s.latencyMs)];
  tx.eval(PUSH_POINT, 1, key, JSON.stringify(point), bucketStart, Math.ceil(keepMs / bucketMs), keepMs + bucketMs);
}

const stored = z.tuple([z.number(), z.union([z.literal(0), z.literal(1)]), z.number().nullable(), z.number().nullable(), z.number().nullable(), z.number()]);

/** Points of one node with `from <= at <= to`, oldest first; a malformed entry is skipped. */
export async function readKpiHistory(redis: Redis, key: string, from: number, to: number): Promise<KpiPoint[]> {
  const raws = await redis.lrange(key, 0, -1);
  const out: KpiPoint[] = [];
  for (const raw of raws.reverse()) {
    let parsed;
    try {
      parsed = stored.safeParse(JSON.parse(raw));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    const [at, reachable, head, headAge, peers, latencyMs] = parsed.data;
    if (at < from || at > to) continue;
    out.push({ at, reachable: reachable === 1, latencyMs, ...(head !== null ? { head } : {}), ...(headAge !== null ? { headTime: at - headAge } : {}), ...(peers !== null ? { peers } : {}) });
  }
  return out;
}
