import { upgradeWarnings } from '../health/version.ts';
import type { Command } from '../command/command.types.ts';
import { requireEnv, requireGroup } from '../fleet/fleet.lookup.ts';
import { createHash } from 'node:crypto';
import type { Block } from '../chat/message.ts';
import { UserError } from '../errors.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import type { QueueName } from '../ports/queue.port.ts';
import { planUpgrade, resolveTarget } from '../rollout/plan.ts';
import { parseWaves } from '../rollout/waves.ts';
import type { CoreDeps } from './deps.ts';
import { planRollback } from './rollback-plan.ts';
import { releaseWarnings } from '../releases/release-warning.ts';

/** A risky change, planned: what will run, where, and the hash an approval binds to. */
export interface ChangePlan {
  kind: 'upgrade' | 'provision' | 'decommission' | 'rollback';
  env: string;
  group: string;
  hash: string;
  queue: QueueName;
  /** Job id prefix: `up`, `pv`, `dc`. */
  prefix: string;
  /** Job data without `v`, ids, actors and report (added when the job is created). */
  data: Record<string, unknown>;
  summary: Block[];
  /** Nothing to do (every target already at the version). */
  empty: boolean;
  /** What to say when it is empty (default: every target already runs that version). */
  emptyReason?: string;
  /** Seed of the job id when started without approval: the same plan clicked twice is one job. */
  idSeed?: string;
}

/**
 * Plan a change from a validated command against the fleet as it is now. Called when the change
 * is requested and again when it is approved: a different hash means the plan changed.
 */
export async function planChange(command: Command, fleet: Fleet, deps: CoreDeps): Promise<ChangePlan> {
  const v = command.values;
  if (command.verb === 'upgrade') {
    const target = v['target'] as string;
    const envFlag = v['env'] as string | undefined;
    const { nodes } = resolveTarget(fleet, target, envFlag);
    const snaps = await deps.state.getSnapshots(nodes.map((n) => n.name));
    const running = Object.fromEntries(snaps.map((s) => [s.node, s.version]));
    const playbook = fleet.groups[resolveTarget(fleet, target, envFlag).group]?.playbook;
    const digest = playbook && deps.playbookDigest ? await deps.playbookDigest(playbook) : undefined;
    const plan = planUpgrade(fleet, { target, version: v['version'] as string, env: envFlag, waves: v['waves'] ? parseWaves(v['waves'] as string) : undefined }, running, digest);
    const waveText = plan.waves.map((w, i) => `wave ${i + 1}: ${w.join(', ')}`).join('\n');
    // Not part of the plan hash: the release list changes on its own; the warning is for the approver's eyes.
    const releaseNotes = await releaseWarnings(fleet, deps.releases, plan.group, plan.version);
    return {
      kind: 'upgrade', env: plan.env, group: plan.group, hash: plan.hash, queue: 'upgrade', prefix: 'up', empty: plan.targets.length === 0,
      data: { env: plan.env, group: plan.group, version: plan.version, targets: plan.targets, waves: plan.waves, planHash: plan.hash, dryRun: v['dry-run'] === true },
      summary: [
        { type: 'fields', fields: [
          { label: 'group', value: plan.group }, { label: 'environment', value: plan.env },
          { label: 'version', value: plan.version }, { label: 'nodes', value: String(plan.targets.length) },
        ] },
        ...(plan.targets.length ? [{ type: 'code' as const, text: waveText }] : []),
        ...(plan.skipped.length ? [{ type: 'context' as const, text: `already at ${plan.version}: ${plan.skipped.join(', ')}` }] : []),
        ...[...upgradeWarnings(plan.version, fleet.groups[plan.group]?.desired_version), ...releaseNotes].map((text) => ({ type: 'text' as const, text })),
      ],
    };
  }
  if (command.verb === 'rollout' && v['action'] === 'rollback') {
    const id = v['id'] as string | undefined;
    const rec = id ? await deps.rollouts.get(id) : undefined;
    if (!id || !rec) throw new UserError('not_found', `no rollout \`${id ?? ''}\` — see \`/chainops jobs\``);
    return planRollback(rec, fleet, deps);
  }
  if (command.verb === 'provision') {
    const group = v['group'] as string;
    const g = requireGroup(fleet, group);
    const env = (v['env'] as string | undefined) ?? onlyEnv(fleet, group);
    requireEnv(fleet, env);
    const count = (v['count'] as number | undefined) ?? 1;
    if (!g.terraform?.module) throw new UserError('not_found', `group \`${group}\` has no Terraform module — add \`terraform: { module: <dir> }\` to it in the fleet file to provision it`);
    const hash = sha({ kind: 'provision', env, group, count, module: g.terraform?.module ?? null, shape: g.shape ?? null });
    // The job plans with Terraform; an approval, where needed, binds to that saved plan's own hash.
    return {
      kind: 'provision', env, group, hash, queue: 'provision', prefix: 'pv', empty: false,
      data: { kind: 'provision', phase: 'plan', env, group, count },
      summary: [{ type: 'fields', fields: [{ label: 'group', value: group }, { label: 'environment', value: env }, { label: 'new nodes', value: String(count) }, { label: 'terraform module', value: g.terraform?.module ?? '(none set)' }] }],
    };
  }
  if (command.verb === 'decommission') {
    const name = v['node'] as string;
    const node = fleet.nodes.find((n) => n.name === name);
    if (!node) throw new UserError('not_found', `no node \`${name}\` in the inventory — see \`/chainops nodes\``);
    const hash = sha({ kind: 'decommission', node: node.name, env: node.env, group: node.group });
    return {
      kind: 'decommission', env: node.env, group: node.group, hash, queue: 'provision', prefix: 'dc', empty: false,
      data: { kind: 'decommission', phase: 'plan', env: node.env, group: node.group, node: node.name, ...(v['dry-run'] === true ? { dryRun: true } : {}) },
      summary: [{ type: 'fields', fields: [{ label: 'node', value: node.name }, { label: 'group', value: node.group }, { label: 'environment', value: node.env }] }],
    };
  }
  throw new UserError('parse_error', `\`${command.verb}\` is not a change that can be planned`);
}

function onlyEnv(fleet: Fleet, group: string): string {
  const envs = [...new Set(fleet.nodes.filter((n) => n.group === group).map((n) => n.env))];
  if (envs.length === 1) return envs[0]!;
  if (envs.length === 0 && Object.keys(fleet.environments).length === 1) return Object.keys(fleet.environments)[0]!;
  throw new UserError('parse_error', `say which environment: pass \`--env <env>\` (known: ${Object.keys(fleet.environments).join(', ')})`);
}

function sha(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
