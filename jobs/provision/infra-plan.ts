import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { errorMessage } from '../../src/errors.ts';
import { countsText } from '../../src/provision/plan-summary.ts';
import { planDir, tfVarsFor, workDir } from '../../src/provision/tf-settings.ts';
import type { PlanSummary } from '../../src/provision/terraform.port.ts';
import type { ProvisionDeps } from './provision-deps.ts';

/** Terraform's view of one environment/group: does planning the recorded nodes change anything? */
export interface InfraPlan {
  env: string;
  group: string;
  workspace: string;
  summary?: PlanSummary;
  hash?: string;
  error?: string;
}

/**
 * Plan every Terraform-managed env/group (those with a recorded inventory) with the nodes ChainOps
 * recorded, and report what would change: a non-empty plan is infrastructure drift (a node deleted
 * by hand, a changed module, an instance resized outside Terraform). Read-only: the plan files are
 * deleted, nothing is applied.
 */
export async function planInfra(pd: ProvisionDeps, fleet: Fleet, opts: { env?: string; id: string; onLine?: (line: string) => void }): Promise<InfraPlan[]> {
  const dirOfPlans = planDir(fleet, pd.fleetDir);
  const tf = pd.terraform(fleet, dirOfPlans);
  const records = (await pd.inventory.all()).filter((r) => (!opts.env || r.env === opts.env) && fleet.groups[r.group]?.terraform?.module && fleet.environments[r.env]);
  const out: InfraPlan[] = [];
  for (const r of records) {
    let workspace = r.workspace;
    const file = join(dirOfPlans, 'plans', `${opts.id}-${r.env}-${r.group}.tfplan`);
    try {
      const dir = workDir(fleet, r.env, r.group, pd.fleetDir);
      workspace = dir.workspace;
      await tf.init(dir, opts.onLine);
      const saved = await tf.plan({ dir, vars: tfVarsFor(fleet, r.env, r.group, r.nodes.map((n) => n.node.name)), planFile: file, ...(opts.onLine ? { onLine: opts.onLine } : {}) });
      out.push({ env: r.env, group: r.group, workspace, summary: saved.summary, hash: saved.hash });
      await pd.planLog?.put({ env: r.env, group: r.group, at: Date.now(), by: opts.id, ...(saved.summary.empty ? {} : { plan: countsText(saved.summary) }) });
    } catch (err) {
      const error = tf.redactor.redact(errorMessage(err)).split('\n').slice(0, 3).join(' ');
      out.push({ env: r.env, group: r.group, workspace, error });
      await pd.planLog?.put({ env: r.env, group: r.group, at: Date.now(), by: opts.id, error: error.slice(0, 300) }).catch(() => undefined);
    } finally {
      await rm(file, { force: true });
    }
  }
  return out;
}
