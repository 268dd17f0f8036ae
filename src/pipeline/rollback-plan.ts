import type { Block } from '../chat/message.ts';
import { UserError } from '../errors.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import { sameVersion } from '../health/version.ts';
import { rolloutPlanHash } from '../rollout/plan-hash.ts';
import { touchedNodes, type RolloutRecord } from '../rollout/rollout.record.ts';
import type { ChangePlan } from './change-plan.ts';
import type { CoreDeps } from './deps.ts';

/** One node a rollback restores: what it runs now (over RPC) and the version it goes back to. */
export interface RestoreStep {
  name: string;
  from: string;
  to: string;
}

/** How far back to look for later changes of the same nodes. */
const LATER_WINDOW = 100;

/**
 * Plan the rollback of `rec` as a change like any other. It covers only nodes this rollout changed
 * that still run what it installed (read over RPC now) and that no later rollout touched; each goes
 * back to the version it ran before. The hash binds the nodes with both versions and the playbook,
 * so an approval is void once any of them moves. Nodes left out are listed with the reason.
 */
export async function planRollback(rec: RolloutRecord, fleet: Fleet, deps: CoreDeps): Promise<ChangePlan> {
  if (rec.kind !== 'upgrade') throw new UserError('conflict', `${rec.id} is itself a rollback; start a new upgrade instead`);
  if (rec.dryRun) throw new UserError('conflict', `${rec.id} was a dry run and changed nothing — nothing to roll back`);
  if (rec.status === 'rolled-back') throw new UserError('conflict', `${rec.id} was already rolled back`);
  if (!['done', 'halted', 'failed', 'aborted'].includes(rec.status)) {
    throw new UserError('conflict', `${rec.id} is still ${rec.status} — abort it first (\`/chainops rollout abort ${rec.id}\`), then roll back`);
  }
  const later = (await deps.rollouts.list(LATER_WINDOW)).filter((r) => r.id !== rec.id && !r.dryRun && (r.createdAt > rec.createdAt || r.rollbackOf === rec.id));
  const candidates = touchedNodes(rec);
  const current = await runningNow(deps, candidates.map((n) => n.name));
  const steps: RestoreStep[] = [];
  const left: string[] = [];
  for (const n of candidates) {
    const by = later.find((r) => r.nodes.some((x) => x.name === n.name && x.runs > 0));
    const now = current[n.name];
    if (by) left.push(`${n.name}: changed later by ${by.id} (${by.kind} → ${by.version}, ${by.status})`);
    else if (!fleet.nodes.some((x) => x.name === n.name && x.env === rec.env && x.group === rec.group)) left.push(`${n.name}: no longer in ${rec.env}/${rec.group}`);
    else if (!now) left.push(`${n.name}: its version cannot be read over RPC right now — not rolling it back blind`);
    else if (sameVersion(now, n.from!)) left.push(`${n.name}: already runs ${now}, its version before ${rec.id}`);
    else if (!sameVersion(now, n.to)) left.push(`${n.name}: runs ${now}, not ${n.to} that ${rec.id} installed`);
    else steps.push({ name: n.name, from: now, to: n.from! });
  }
  const playbook = fleet.groups[rec.group]?.playbook;
  const digest = playbook && deps.playbookDigest ? await deps.playbookDigest(playbook) : undefined;
  // The one rollout hash the worker recomputes on every start (jobs/upgrade/rollout-plan-check.ts).
  const hash = rolloutPlanHash(fleet, {
    kind: 'rollback', env: rec.env, group: rec.group, rollbackOf: rec.id,
    nodes: steps.map((s) => ({ name: s.name, to: s.to })), waves: steps.map((s) => [s.name]), playbookDigest: digest,
  });
  const versions = [...new Set(steps.map((s) => s.to))];
  const summary: Block[] = [
    { type: 'fields', fields: [
      { label: 'rollback of', value: rec.id }, { label: 'group', value: rec.group }, { label: 'environment', value: rec.env }, { label: 'nodes', value: String(steps.length) },
    ] },
    ...(steps.length ? [{ type: 'code' as const, text: steps.map((s) => `${s.name}: ${s.from} → ${s.to}`).join('\n') }] : []),
    ...(left.length ? [{ type: 'context' as const, text: `not rolled back: ${left.join('; ')}` }] : []),
  ];
  return {
    kind: 'rollback', env: rec.env, group: rec.group, hash, queue: 'upgrade', prefix: 'rb', empty: steps.length === 0,
    idSeed: `${rec.id}:${hash}`,
    emptyReason: `Nothing to roll back for ${rec.id}: ${left.join('; ') || 'it changed no node whose previous version is known'}.`,
    data: {
      mode: 'rollback', rollbackOf: rec.id, env: rec.env, group: rec.group, version: versions.length === 1 ? versions[0]! : rec.version,
      targets: steps.map((s) => s.name), waves: steps.map((s) => [s.name]), restore: steps, planHash: hash, dryRun: false,
    },
    summary,
  };
}

/** The version each node reports now over RPC; undefined where it does not answer. */
async function runningNow(deps: CoreDeps, names: string[]): Promise<Record<string, string | undefined>> {
  if (names.length === 0) return {};
  const snaps = await deps.checkNow(names);
  return Object.fromEntries(names.map((name) => {
    const s = snaps.find((x) => x.node === name);
    return [name, s?.reachable ? s.version : undefined];
  }));
}
