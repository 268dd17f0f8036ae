import type { FleetNode } from '../fleet/fleet.schema.ts';
import type { Snapshot } from '../health/snapshot.ts';
import type { HandlerContext } from './context.ts';

/**
 * Latest snapshots of these nodes; nodes never checked, or checked longer ago than two sweep
 * intervals (no worker running, or it is behind), are checked now so the answer is never stale.
 */
export async function freshSnapshots(ctx: HandlerContext, nodes: FleetNode[], force = false): Promise<Snapshot[]> {
  const names = nodes.map((n) => n.name);
  const stored = force ? [] : await ctx.deps.state.getSnapshots(names);
  const maxAge = ctx.fleet.health.interval * 2;
  const now = ctx.deps.clock.now();
  const fresh = stored.filter((s) => now - s.at <= maxAge);
  const have = new Set(fresh.map((s) => s.node));
  const missing = names.filter((n) => !have.has(n));
  if (missing.length === 0) return fresh;
  const checked = await ctx.deps.checkNow(missing);
  await ctx.deps.state.putSnapshots(checked);
  return [...fresh, ...checked];
}
