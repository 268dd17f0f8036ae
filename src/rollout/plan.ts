import { requireEnv } from '../fleet/fleet.lookup.ts';
import type { Fleet, FleetNode } from '../fleet/fleet.schema.ts';
import { UserError } from '../errors.ts';
import { splitWaves } from './waves.ts';
import { rolloutPlanHash } from './plan-hash.ts';

export interface UpgradePlan {
  env: string;
  group: string;
  version: string;
  /** Nodes to change, in order. */
  targets: string[];
  /** Nodes skipped because they already run the version (per the latest snapshot). */
  skipped: string[];
  waves: string[][];
  playbook?: string;
  /** sha256 over everything that decides what runs; an approval binds to it. */
  hash: string;
}

/** Nodes a target names: a group's nodes in the environment, or one node. */
export function resolveTarget(fleet: Fleet, target: string, env: string | undefined): { env: string; group: string; nodes: FleetNode[] } {
  const node = fleet.nodes.find((n) => n.name === target);
  if (node) {
    if (env && node.env !== env) throw new UserError('not_found', `node \`${target}\` is in ${node.env}, not ${env} — drop \`--env\` or pass \`--env ${node.env}\``);
    return { env: node.env, group: node.group, nodes: [node] };
  }
  if (!fleet.groups[target]) {
    throw new UserError('not_found', `\`${target}\` is neither a group nor a node of this fleet — see \`/chainops nodes\``);
  }
  const inGroup = fleet.nodes.filter((n) => n.group === target);
  const envs = [...new Set(inGroup.map((n) => n.env))];
  const chosen = env ?? (envs.length === 1 ? envs[0] : undefined);
  if (!chosen) throw new UserError('parse_error', `group \`${target}\` has nodes in ${envs.join(', ')} — pass \`--env <env>\``);
  requireEnv(fleet, chosen);
  const nodes = inGroup.filter((n) => n.env === chosen);
  if (nodes.length === 0) throw new UserError('not_found', `group \`${target}\` has no nodes in ${chosen}`);
  return { env: chosen, group: target, nodes };
}

/** Build the rolling-upgrade plan and its hash. `running` maps node → version it reports now. */
export function planUpgrade(
  fleet: Fleet,
  input: { target: string; version: string; env?: string; waves?: Array<number | string> },
  running: Record<string, string | undefined>,
  playbookDigest?: string,
): UpgradePlan {
  const { env, group, nodes } = resolveTarget(fleet, input.target, input.env);
  const bare = (v: string | undefined) => v?.replace(/^v/, '');
  const targets = nodes.filter((n) => bare(running[n.name]) !== bare(input.version)).map((n) => n.name).sort();
  const skipped = nodes.map((n) => n.name).filter((n) => !targets.includes(n)).sort();
  const waves = splitWaves(targets, input.waves ?? fleet.rollout.waves);
  const playbook = fleet.groups[group]?.playbook;
  const hash = upgradePlanHash(fleet, { env, group, version: input.version, targets, waves, playbookDigest });
  return { env, group, version: input.version, targets, skipped, waves, ...(playbook ? { playbook } : {}), hash };
}

/** The plan hash of an upgrade: `rolloutPlanHash` with every target going to `version`. */
export function upgradePlanHash(fleet: Fleet, p: { env: string; group: string; version: string; targets: string[]; waves: string[][]; playbookDigest?: string | undefined }): string {
  return rolloutPlanHash(fleet, { kind: 'upgrade', env: p.env, group: p.group, nodes: p.targets.map((name) => ({ name, to: p.version })), waves: p.waves, playbookDigest: p.playbookDigest });
}
