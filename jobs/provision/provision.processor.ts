import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { errorMessage } from '../../src/errors.ts';
import { provisionJob } from '../../src/jobs/job-data.schema.ts';
import { planDir, workDir } from '../../src/provision/tf-settings.ts';
import { lockKey } from '../../src/policy/locks.ts';
import type { JobContext } from '../job-context.ts';
import { parseJobData } from '../parse-job-data.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import { applyPhase, planPhase } from './change-phases.ts';
import { infraPlanJob } from './infra-plan.job.ts';
import { JobReporter } from './job-reporter.ts';
import { isLease, waitingText } from '../lease.ts';
import { ChangeExecution } from '../change-runner/execution.ts';
import type { ProvisionDeps } from './provision-deps.ts';
import type { TfJob } from './tf-job.ts';

/**
 * The `provision` queue: Terraform provisioning and decommissioning (plan → approval → apply of that
 * saved plan → inventory → bootstrap → health gate) and `/chainops plan`. A failed job is never
 * retried automatically — infrastructure changes are re-run by a person who read why it failed.
 */
export function provisionProcessor(deps: WorkerDeps, pd: ProvisionDeps) {
  return async (job: JobContext<unknown>) => {
    const data = parseJobData(provisionJob, job.data, job.id);
    if (data.kind === 'plan') return infraPlanJob(deps, pd, job, data);
    const fleet = deps.fleet();
    const group = data.kind === 'provision' ? data.group : (data.group ?? fleet.nodes.find((n) => n.name === data.node)?.group);
    if (!group) throw new UnrecoverableError(`${data.kind === 'decommission' ? data.node : '?'} is in no group of the fleet — nothing to decommission`);
    const title = data.kind === 'provision' ? `provision ${data.env}/${group} (+${data.count})` : `decommission ${data.node} (${data.env}/${group})`;
    const dirOfPlans = planDir(fleet, pd.fleetDir);
    const reporter = new JobReporter(deps, job, data.report, title, join(dirOfPlans, 'logs', `${job.id}.log`));
    const tf = pd.terraform(fleet, dirOfPlans);
    let t: TfJob | undefined;
    // The change runner's fenced lease on env/group: checked (with the freeze) before every step.
    const exec = new ChangeExecution(deps, job.id, data.env);
    try {
      const beforeStep = async () => {
        await exec.beforeStep();
        await exec.assertNotFrozen();
      };
      t = { deps, pd, job, data, fleet, env: data.env, group, dir: workDir(fleet, data.env, group, pd.fleetDir), planDir: dirOfPlans, tf, reporter, applyStarted: false, beforeStep };
      const tfJob = t;
      await deps.audit.append({ at: deps.clock.now(), actor: 'system', action: 'job.start', detail: `${job.id} ${title} (${data.phase})`, outcome: 'ok', ref: job.id });
      const lease = await exec.take(lockKey(data.env, group), `${data.kind} ${job.id}`, {
        ttlMs: pd.lockTtlMs ?? 60_000, waitMs: pd.lockWaitMs ?? 600_000, queue: true,
        onWait: (c, place) => reporter.status(waitingText(`${data.env}/${group}`, c, place)),
      });
      if (!isLease(lease)) {
        throw new UnrecoverableError(`${lockKey(data.env, group)} stayed locked by ${lease.current.holder} (${lease.current.purpose}) for ${Math.round((pd.lockWaitMs ?? 600_000) / 60_000)}m — nothing was changed; run the command again once it is free`);
      }
      await exec.assertNotFrozen(); // re-checked after waiting for the lock
      const result = await (data.phase === 'plan' ? planPhase(tfJob) : applyPhase(tfJob));
      await deps.audit.append({ at: deps.clock.now(), actor: 'system', action: 'job.end', detail: `${job.id}: ${result.applied ? 'applied' : result.reason}`, outcome: 'ok', ref: job.id });
      await reporter.flush();
      return result;
    } catch (err) {
      const why = tf.redactor.redact(errorMessage(err));
      reporter.line(`failed: ${why}`);
      await reporter.status(`failed${t?.applyStarted ? ' after apply started' : ''} — ${why.split('\n')[0]}`, { severity: 'error', final: true }).catch(() => undefined);
      await deps.audit.append({ at: deps.clock.now(), actor: 'system', action: 'job.end', detail: `${job.id}: failed — ${why.slice(0, 200)}`, outcome: 'failed', ref: job.id }).catch(() => undefined);
      await reporter.flush();
      throw err instanceof UnrecoverableError ? err : new UnrecoverableError(`${why}${t?.applyStarted ? ' (Terraform apply had started: check the infrastructure and /chainops plan before re-running)' : ''}`);
    } finally {
      await exec.releaseAll();
    }
  };
}
