import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import type { UpgradeJob } from '../../src/jobs/job-data.schema.ts';
import { sameVersion } from '../../src/health/version.ts';
import type { RolloutNode, RolloutRecord } from '../../src/rollout/rollout.record.ts';
import type { WorkerDeps } from '../worker-deps.ts';

/** The first checkpoint of a rollout: every node pending, with the version it runs now (for rollback). */
export async function newRolloutRecord(deps: WorkerDeps, fleet: Fleet, data: UpgradeJob, jobId: string): Promise<RolloutRecord> {
  const now = deps.clock.now();
  let nodes: RolloutNode[];
  let waves = data.waves;
  if (data.mode === 'rollback') {
    // Exactly the per-node versions that were planned from the nodes' live versions and approved.
    if (!data.restore?.length) throw new Error(`rollback ${data.rolloutId} carries no planned versions — request it again with \`/chainops rollout rollback ${data.rollbackOf ?? '<id>'}\``);
    waves = data.restore.map((n) => [n.name]);
    // A node that moved since the rollback was planned and approved is left alone (never restored blind).
    const live = await currentVersions(deps, fleet, data.restore.map((n) => n.name));
    nodes = data.restore.map((n, i): RolloutNode => {
      const now = live[n.name];
      if (now && sameVersion(now, n.from)) return { name: n.name, wave: i, state: 'pending', from: n.from, to: n.to, runs: 0 };
      return { name: n.name, wave: i, state: 'skipped', from: n.from, to: n.to, runs: 0, detail: `runs ${now ?? 'an unknown version'} now, not ${n.from} as planned — not touched` };
    });
  } else {
    const running = await currentVersions(deps, fleet, data.targets);
    nodes = data.waves.flatMap((wave, w) => wave.map((name): RolloutNode => ({ name, wave: w, state: 'pending', to: data.version, runs: 0, ...(running[name] ? { from: running[name] } : {}) })));
  }
  return {
    id: data.rolloutId,
    kind: data.mode === 'rollback' ? 'rollback' : 'upgrade',
    ...(data.rollbackOf ? { rollbackOf: data.rollbackOf } : {}),
    env: data.env,
    group: data.group,
    version: data.version,
    planHash: data.planHash,
    ...(data.approvalId ? { approvalId: data.approvalId } : {}),
    requestedBy: data.requestedBy,
    approvedBy: data.approvedBy,
    dryRun: data.dryRun,
    status: 'running',
    nodes,
    waves,
    reportKey: data.report.key,
    conversation: data.report.conversation,
    owner: deps.workerId,
    resumes: 0,
    createdAt: now,
    updatedAt: now,
    ...(jobId !== data.rolloutId ? { reason: `started by job ${jobId}` } : {}),
  };
}

/** Versions the targets run right now, read over RPC (the stored snapshot may be a sweep old). */
async function currentVersions(deps: WorkerDeps, fleet: Fleet, targets: string[]): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  await Promise.all(targets.map(async (name) => {
    const node = fleet.nodes.find((n) => n.name === name);
    const group = node ? fleet.groups[node.group] : undefined;
    if (!node || !group) return;
    const snap = await deps.checkerFor(group.rpc.kind).check(node, group, { timeoutMs: fleet.health.timeout });
    if (snap.reachable && snap.version) out[name] = snap.version;
    else out[name] = (await deps.state.getSnapshots([name]))[0]?.version;
  }));
  return out;
}
