import { join } from 'node:path';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import type { ProvisionJob } from '../../src/jobs/job-data.schema.ts';
import { readOutputContract, type InventoryNode } from '../../src/provision/output-contract.ts';
import type { Redactor } from '../../src/provision/redact.ts';
import type { TerraformPort, TfWorkDir } from '../../src/provision/terraform.port.ts';
import type { JobContext } from '../job-context.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import type { JobReporter } from './job-reporter.ts';
import type { ProvisionDeps } from './provision-deps.ts';

/** Everything one provisioning job works with, resolved once at its start. */
export interface TfJob {
  deps: WorkerDeps;
  pd: ProvisionDeps;
  job: JobContext<unknown>;
  data: Exclude<ProvisionJob, { kind: 'plan' }>;
  fleet: Fleet;
  env: string;
  group: string;
  dir: TfWorkDir;
  planDir: string;
  tf: TerraformPort & { readonly redactor: Redactor };
  reporter: JobReporter;
  /** Set once `apply` has started: from then on the job is never retried. */
  applyStarted: boolean;
  /** Right before each step that changes something: the lock's token still current, no freeze; throws otherwise. */
  beforeStep: () => Promise<void>;
}

/** Where the saved plan of job (or plan id) `id` lives. */
export function planFileOf(planDir: string, id: string): string {
  return join(planDir, 'plans', `${id}.tfplan`);
}

/** Streams a command's (redacted) lines into the job log and message. */
export function lineSink(t: TfJob): (line: string) => void {
  return (line) => t.reporter.line(line);
}

/**
 * Names of the nodes that exist in the workspace as ChainOps last recorded them (what it asks
 * Terraform to keep), or — for a workspace never recorded — as its `chainops_nodes` output says.
 */
export async function recordedNames(t: TfJob): Promise<string[]> {
  const record = await t.pd.inventory.get(t.env, t.group);
  if (record) return record.nodes.map((n) => n.node.name);
  const out = await t.tf.outputs(t.dir);
  // A new workspace has no outputs yet: nothing exists.
  if (out.values['chainops_nodes'] === undefined) return [];
  const read = readOutputContract(out.values, { env: t.env, group: t.group });
  if (!read.ok) throw new Error(`the output chainops_nodes of ${t.dir.workspace} is not usable:\n${read.problems.join('\n')}`);
  return read.nodes.map((n) => n.node.name);
}

/** Read `chainops_nodes` after an apply, store it as the workspace's inventory and reload the fleet. */
export async function readInventory(t: TfJob): Promise<InventoryNode[]> {
  const out = await t.tf.outputs(t.dir);
  const read = readOutputContract(out.values, { env: t.env, group: t.group });
  if (!read.ok) {
    throw new Error(`applied, but the output chainops_nodes is not usable, so the inventory was not updated:\n${read.problems.slice(0, 10).join('\n')}`);
  }
  await t.pd.inventory.put({ env: t.env, group: t.group, workspace: t.dir.workspace, nodes: read.nodes, at: t.deps.clock.now(), by: t.job.id });
  await t.pd.refreshFleet();
  return read.nodes;
}
