import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import type { RolloutNode, RolloutRecord } from '../../src/rollout/rollout.record.ts';
import type { StateStore } from '../../src/ports/state.port.ts';

/**
 * Nodes of the rollout's redundancy group (groups sharing `redundancy_group`, else the group itself)
 * in its environment that are down right now, not counting `pending` (this wave's nodes still to do).
 * They count against `max_unavailable` before the next batch is taken down.
 */
export async function downElsewhere(fleet: Fleet, state: StateStore, rec: RolloutRecord, pending: RolloutNode[], now: number): Promise<number> {
  const rg = fleet.groups[rec.group]?.redundancy_group;
  const skip = new Set(pending.map((n) => n.name));
  const peers = fleet.nodes.filter((n) => n.env === rec.env && !skip.has(n.name)
    && (rg ? fleet.groups[n.group]?.redundancy_group === rg : n.group === rec.group));
  if (!peers.length) return 0;
  const snaps = await state.getSnapshots(peers.map((n) => n.name));
  const fresh = now - 2 * fleet.health.interval;
  // A node this rollout gated after that snapshot was taken is up, whatever a mid-restart sweep saw.
  const gatedAt = new Map(rec.nodes.filter((n) => n.state === 'done').map((n) => [n.name, n.endedAt ?? 0]));
  return snaps.filter((s) => !s.reachable && s.at >= fresh && (gatedAt.get(s.node) ?? -1) < s.at).length;
}
