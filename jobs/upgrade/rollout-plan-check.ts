import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { rolloutPlanHash } from '../../src/rollout/plan-hash.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import { approvedPlanStill, type PlanCheck } from '../change-runner/approved-plan.ts';
import type { WorkerDeps } from '../worker-deps.ts';

/**
 * The resume check of a rollout or rollback, on every start: its plan recomputed from the record
 * (nodes, versions, waves) against the fleet and playbook tree as they are now, compared with the
 * approved hash, and the approval unexpired. The bot hashes with the same `rolloutPlanHash`.
 */
export async function rolloutPlanCheck(deps: WorkerDeps, fleet: Fleet, rec: RolloutRecord): Promise<PlanCheck> {
  for (const n of rec.nodes) {
    const node = fleet.nodes.find((x) => x.name === n.name);
    if (!node) return approvedPlanStill(deps, { approvedHash: rec.planHash, hashNow: '', what: `${n.name} left the inventory` });
    if (node.env !== rec.env || node.group !== rec.group) return approvedPlanStill(deps, { approvedHash: rec.planHash, hashNow: '', what: `${n.name} moved to ${node.env}/${node.group}` });
  }
  const playbook = fleet.groups[rec.group]?.playbook;
  const playbookDigest = playbook ? await deps.playbookDigest(playbook) : undefined;
  const hashNow = rolloutPlanHash(fleet, {
    kind: rec.kind, env: rec.env, group: rec.group, rollbackOf: rec.rollbackOf,
    nodes: rec.nodes.map((n) => ({ name: n.name, to: n.to })), waves: rec.waves, playbookDigest,
  });
  return approvedPlanStill(deps, {
    approvedHash: rec.planHash, hashNow, approvalId: rec.approvalId,
    what: 'the playbook or a file it reads, the targets, their addresses, the waves or the rollout policy',
  });
}
