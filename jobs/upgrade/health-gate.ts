import type { Fleet, FleetNode } from '../../src/fleet/fleet.schema.ts';
import { medianHead } from '../../src/health/fleet-health.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { gateVerdict, type GateVerdict } from '../../src/rollout/gate.ts';
import type { WorkerDeps } from '../worker-deps.ts';

export interface GateResult {
  ok: boolean;
  checks: number;
  last: GateVerdict;
  snapshot?: Snapshot;
}

/**
 * The per-node health gate: check the node over RPC every `interval` until it passes `consecutive`
 * checks in a row, or `timeout` passes. One failed check resets the count; one slow reply never
 * passes a node that is not healthy.
 */
export async function runHealthGate(
  deps: WorkerDeps,
  fleet: Fleet,
  node: FleetNode,
  version: string,
  opts: { exclude: Set<string>; sleep: (ms: number) => Promise<void>; onCheck?: (v: GateVerdict, streak: number) => void },
): Promise<GateResult> {
  const group = fleet.groups[node.group]!;
  const gate = fleet.rollout.health_gate;
  const thresholds = fleet.environments[node.env]!.thresholds;
  const checker = deps.checkerFor(group.rpc.kind);
  const deadline = deps.clock.now() + gate.timeout;
  let streak = 0;
  let checks = 0;
  let last: GateVerdict = { ok: false, reasons: ['not checked yet'] };
  let snapshot: Snapshot | undefined;
  for (;;) {
    snapshot = await checker.check(node, group, { timeoutMs: fleet.health.timeout });
    checks++;
    const now = deps.clock.now();
    last = gateVerdict(snapshot, { version, thresholds, referenceHead: await referenceHead(deps, fleet, node, snapshot, opts.exclude), now });
    streak = last.ok ? streak + 1 : 0;
    opts.onCheck?.(last, streak);
    if (streak >= gate.consecutive) return { ok: true, checks, last, snapshot };
    if (now + gate.interval > deadline) return { ok: false, checks, last, snapshot };
    await opts.sleep(gate.interval);
  }
}

/** Upper median head of the node's chain/network/env peers (latest stored snapshots) and this check. */
async function referenceHead(deps: WorkerDeps, fleet: Fleet, node: FleetNode, snap: Snapshot, exclude: Set<string>): Promise<number | undefined> {
  const g = fleet.groups[node.group]!;
  const peers = fleet.nodes.filter((n) => n.env === node.env && n.name !== node.name && !exclude.has(n.name) && fleet.groups[n.group]?.chain === g.chain && fleet.groups[n.group]?.network === g.network);
  const stored = peers.length ? await deps.state.getSnapshots(peers.map((n) => n.name)) : [];
  const heads = [...stored, snap].filter((s) => s.reachable && !s.syncing && s.head !== undefined).map((s) => s.head!);
  return medianHead(heads);
}
