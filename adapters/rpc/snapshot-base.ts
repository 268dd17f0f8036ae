import type { FleetNode, NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import type { RpcTarget } from './json-rpc.client.ts';
import { authSecrets, redact } from './rpc-errors.ts';

/** The identity part of a snapshot, filled the same way by every checker. */
export function baseSnapshot(node: FleetNode, group: NodeGroup, at: number, latencyMs: number): Snapshot {
  return {
    node: node.name,
    group: node.group,
    env: node.env,
    chain: group.chain,
    network: group.network,
    at,
    reachable: false,
    latencyMs,
    warnings: [],
  };
}

/** A snapshot for a node that could not be checked; `error` must already be free of secrets. */
export function downSnapshot(node: FleetNode, group: NodeGroup, at: number, latencyMs: number, error: string): Snapshot {
  return { ...baseSnapshot(node, group, at, latencyMs), reachable: false, error };
}

/** Milliseconds since `start` (from `performance.now()`), rounded to 0.1 ms. */
export function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

/** Last line of defence: removes the RPC password from any text a node managed to echo back to us. */
export function scrub(snap: Snapshot, target: RpcTarget): Snapshot {
  const secrets = authSecrets(target.auth);
  if (secrets.length === 0) return snap;
  if (snap.error) snap.error = redact(snap.error, secrets);
  if (snap.clientVersion) snap.clientVersion = redact(snap.clientVersion, secrets);
  snap.warnings = snap.warnings.map((w) => redact(w, secrets));
  if (snap.faults) snap.faults = snap.faults.map((f) => redact(f, secrets));
  return snap;
}
