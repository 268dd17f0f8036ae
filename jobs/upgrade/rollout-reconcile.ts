import type { Fleet, FleetNode } from '../../src/fleet/fleet.schema.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import type { RolloutReport } from './rollout-report.ts';

/** After a takeover: re-read each in-flight node's real state over RPC before touching it again. */
export async function reconcileInFlight(deps: WorkerDeps, fleet: Fleet, rec: RolloutRecord, report: RolloutReport, nodeOf: (name: string) => FleetNode): Promise<void> {
  for (const n of rec.nodes.filter((x) => x.state === 'upgrading' || x.state === 'gating')) {
    const node = nodeOf(n.name);
    const group = fleet.groups[node.group]!;
    const snap = await deps.checkerFor(group.rpc.kind).check(node, group, { timeoutMs: fleet.health.timeout });
    const reports = snap.reachable ? snap.version ?? 'no version' : 'unreachable';
    const onTarget = snap.reachable && snap.version !== undefined && bare(snap.version) === bare(n.to);
    n.state = onTarget ? 'gating' : 'pending';
    n.detail = `resumed: reported ${reports}`;
    await report.note(`Worker ${deps.workerId} took over from the checkpoint; ${n.name} was in flight and reports ${reports} — ${onTarget ? 'gating it again' : 'running its playbook again'}.`, 'warn');
  }
}

function bare(v: string): string {
  return v.replace(/^v/i, '').replace(/\+.*$/, '').toLowerCase();
}
