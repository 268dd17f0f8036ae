import { createHash } from 'node:crypto';
import type { Fleet } from '../fleet/fleet.schema.ts';

/** What a rollout (an upgrade or a rollback) will do: the input of its plan hash. */
export interface RolloutPlanInput {
  kind: 'upgrade' | 'rollback';
  env: string;
  group: string;
  /** For a rollback: the rollout it restores. */
  rollbackOf?: string | undefined;
  /** Every node it acts on and the version it installs there. */
  nodes: Array<{ name: string; to: string }>;
  waves: string[][];
  /**
   * Digest of every file Ansible may read for the group's playbook (its directory tree: roles,
   * includes, templates, group_vars/host_vars, vars files), from the composition root; undefined
   * when the group has no playbook or it cannot be read.
   */
  playbookDigest?: string | undefined;
}

/**
 * The one hash an approval of a rollout binds to, computed by the bot when it asks for approval and
 * by the worker whenever it starts or resumes the rollout (first start, retry, takeover, resume):
 * the targets with their addresses and host variables, the version per node, the waves, the rollout
 * policy (max_unavailable, soak, health gate), the playbook's path and its tree digest. Any change of
 * these voids the approval.
 */
export function rolloutPlanHash(fleet: Fleet, p: RolloutPlanInput): string {
  const group = fleet.groups[p.group];
  // By name: the bot lists targets sorted, a retry lists them in wave order; the waves keep the order.
  const nodes = [...p.nodes].sort((a, b) => (a.name < b.name ? -1 : 1)).map(({ name, to }) => {
    const n = fleet.nodes.find((x) => x.name === name);
    return { name, to, node: n ? { env: n.env, group: n.group, rpc_url: n.rpc_url, ssh: n.ssh ?? null, ansible_vars: n.ansible_vars ?? null } : null };
  });
  return sha256({
    v: 2, kind: p.kind, env: p.env, group: p.group, rollbackOf: p.rollbackOf ?? null, nodes, waves: p.waves,
    policy: fleet.rollout,
    playbook: group?.playbook ?? null, redundancy: group?.redundancy_group ?? null, rpc: group?.rpc.kind ?? null,
    playbookDigest: p.playbookDigest ?? null,
  });
}

/** sha256 of canonical JSON (object keys sorted), so the same plan hashes the same in bot and worker. */
function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v))).digest('hex');
}
