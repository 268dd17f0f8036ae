import { UnrecoverableError } from 'bullmq';
import { nextNodeNames } from '../../src/provision/node-names.ts';
import { recordedNames, type TfJob } from './tf-job.ts';

/** What a provisioning or decommissioning job asks Terraform for. */
export interface ChangeSpec {
  /** Node names the workspace should hold afterwards (`var.node_names`). */
  desired: string[];
  /** Nodes this change creates (provision). */
  created: string[];
  /** The node this change destroys (decommission) and its resource addresses (`-target`). */
  removed?: string;
  destroyTargets?: string[];
}

/**
 * The change, computed the same way when planning and when re-planning before an apply, so an
 * unchanged world gives the same plan hash. New node names are chosen once (plan phase) and carried
 * to the apply phase in the job data.
 */
export async function changeSpec(t: TfJob): Promise<ChangeSpec> {
  const existing = await recordedNames(t);
  if (t.data.kind === 'provision') {
    const taken = new Set([...t.fleet.nodes.map((n) => n.name), ...existing]);
    const created = t.data.nodes ?? nextNodeNames(t.group, t.data.count, taken);
    return { desired: [...new Set([...existing, ...created])], created };
  }
  const node = t.data.node;
  if (!existing.includes(node)) {
    throw new UnrecoverableError(`${node} is not in the Terraform inventory of ${t.env}/${t.group} (workspace ${t.dir.workspace}) — if it is listed in the fleet file, remove it there instead`);
  }
  const resources = await t.tf.stateResources(t.dir);
  const destroyTargets = resources.filter((r) => String(r.index) === node).map((r) => r.address);
  if (destroyTargets.length === 0) {
    throw new UnrecoverableError(`no resource in workspace ${t.dir.workspace} is keyed by "${node}" — the module must create each node's instances with for_each over var.node_names`);
  }
  return { desired: existing.filter((n) => n !== node), created: [], removed: node, destroyTargets };
}
