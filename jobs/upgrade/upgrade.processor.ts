import { upgradeJob } from '../../src/jobs/job-data.schema.ts';
import type { JobContext } from '../job-context.ts';
import { parseJobData } from '../parse-job-data.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import { RolloutRun, type RolloutOutcome } from './rollout-run.ts';

/**
 * Rolling upgrade, retry and rollback jobs. The job data names the rollout; its checkpoint lives in
 * the RolloutStore, so a job picked up again after a worker died continues where it stopped.
 */
export function upgradeProcessor(deps: WorkerDeps, opts: { sleep?: (ms: number) => Promise<void> } = {}) {
  return async (job: JobContext<unknown>): Promise<RolloutOutcome> => {
    const data = parseJobData(upgradeJob, job.data, job.id);
    return new RolloutRun(deps, data, job, opts.sleep).execute();
  };
}
