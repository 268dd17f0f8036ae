import type { FleetNode, NodeGroup } from '../fleet/fleet.schema.ts';
import type { Snapshot } from '../health/snapshot.ts';

/**
 * Checks one node over its standard RPC and returns a normalised snapshot. Never throws for a
 * node that is down: it returns `reachable: false` with the error.
 */
export interface ChainChecker {
  check(node: FleetNode, group: NodeGroup, opts: { timeoutMs: number }): Promise<Snapshot>;
}
