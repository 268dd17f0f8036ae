import { join } from 'node:path';
import { errorMessage } from '../../src/errors.ts';
import type { ProvisionJob } from '../../src/jobs/job-data.schema.ts';
import { countsText } from '../../src/provision/plan-summary.ts';
import { planDir } from '../../src/provision/tf-settings.ts';
import type { Block } from '../../src/chat/message.ts';
import { planBlocks } from '../../src/render/provision.message.ts';
import type { JobContext } from '../job-context.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import { planInfra } from './infra-plan.ts';
import { JobReporter } from './job-reporter.ts';
import type { ProvisionDeps } from './provision-deps.ts';

/** `/chainops plan [env]`: Terraform plans of every managed env/group, shown; nothing applied. */
export async function infraPlanJob(deps: WorkerDeps, pd: ProvisionDeps, job: JobContext<unknown>, data: Extract<ProvisionJob, { kind: 'plan' }>) {
  const fleet = deps.fleet();
  const reporter = new JobReporter(deps, job, data.report, `Terraform plan${data.env ? ` of ${data.env}` : ''}`, join(planDir(fleet, pd.fleetDir), 'logs', `${job.id}.log`));
  try {
    await reporter.status('planning (read-only)');
    const plans = await planInfra(pd, fleet, { ...(data.env ? { env: data.env } : {}), id: job.id, onLine: (l) => reporter.line(l) });
    if (plans.length === 0) {
      await reporter.status(`no Terraform-managed groups${data.env ? ` in ${data.env}` : ''} yet — provision some with /chainops provision`, { severity: 'ok', final: true });
      return { plans: [] };
    }
    const rows = plans.map((p) => [`${p.env}/${p.group}`, p.workspace, p.error ? 'plan failed' : p.summary!.empty ? 'no changes' : countsText(p.summary!), p.error ?? '']);
    const blocks: Block[] = [{ type: 'table', columns: ['env/group', 'workspace', 'plan', 'note'], rows }];
    for (const p of plans) {
      if (!p.summary || p.summary.empty) continue;
      blocks.push({ type: 'text', text: `*${p.env}/${p.group}* would change:` }, ...planBlocks(p.summary, { maxRows: 10 }));
    }
    const drifting = plans.filter((p) => p.summary && !p.summary.empty).length;
    const failed = plans.filter((p) => p.error).length;
    blocks.push({ type: 'context', text: 'Read-only: nothing was applied. A non-empty plan is infrastructure drift; fix it in the Terraform configuration, or provision/decommission to converge.' });
    const state = failed ? `${failed} plan${failed === 1 ? '' : 's'} failed` : drifting ? `infrastructure drift in ${drifting} of ${plans.length} groups` : `no infrastructure drift (${plans.length} group${plans.length === 1 ? '' : 's'})`;
    await reporter.status(state, { summary: blocks, severity: failed ? 'error' : drifting ? 'warn' : 'ok', final: true });
    await reporter.flush();
    return { plans: plans.map((p) => ({ env: p.env, group: p.group, empty: p.summary?.empty ?? null, add: p.summary?.add, change: p.summary?.change, destroy: p.summary?.destroy, error: p.error })) };
  } catch (err) {
    await reporter.status(`failed — ${errorMessage(err).split('\n')[0]}`, { severity: 'error', final: true }).catch(() => undefined);
    await reporter.flush();
    throw err;
  }
}
