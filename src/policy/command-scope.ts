import type { Command } from '../command/command.types.ts';
import type { Fleet, Role } from '../fleet/fleet.schema.ts';
import type { Scope } from './roles.ts';

/** Where ids point: approvals and rollouts carry the environment (and group) they act on. */
export interface ScopeSources {
  getApproval(id: string): Promise<{ env: string; job: { data: unknown } } | undefined>;
  rollouts?: { get(id: string): Promise<{ env: string; group: string; dryRun?: boolean } | undefined> };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The environment and group a command acts on, for scoped roles and channel rules: from `--env`,
 * a group or node argument (a node brings its own), the only environment a group has nodes in, or
 * the approval or rollout an id names. Parts it cannot tell are left out.
 */
export async function commandScope(fleet: Fleet, command: Command, src: ScopeSources): Promise<Scope & { needs?: Role }> {
  const v = command.values;
  let env = str(v['env']);
  let group = str(v['group']);
  const target = str(v['target']) ?? str(v['node']);
  if (target) {
    const node = fleet.nodes.find((n) => n.name === target);
    if (node) {
      env ??= node.env;
      group ??= node.group;
    } else if (fleet.groups[target]) group ??= target;
  }
  const id = str(v['id']);
  if (id && (command.verb === 'approve' || command.verb === 'reject')) {
    const req = await src.getApproval(id).catch(() => undefined);
    if (req) {
      env = req.env;
      group = str((req.job.data as { group?: unknown } | null)?.group) ?? group;
    }
  }
  let needs: Role | undefined;
  if (id && (command.verb === 'rollout' || command.verb === 'job') && src.rollouts) {
    const rec = await src.rollouts.get(id).catch(() => undefined);
    if (rec) {
      ({ env, group } = rec);
      // A dry run's diff shows what the change would do: reading it needs the change's own role.
      if (rec.dryRun) needs = 'operator';
    }
  }
  if (!env && group) {
    const envs = [...new Set(fleet.nodes.filter((n) => n.group === group).map((n) => n.env))];
    if (envs.length === 1) env = envs[0];
  }
  return { ...(env ? { env } : {}), ...(group ? { group } : {}), ...(needs ? { needs } : {}) };
}
