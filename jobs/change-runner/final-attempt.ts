import { ChainopsError } from '../../src/errors.ts';
import type { JobContext } from '../job-context.ts';

/**
 * Whether an unexpected error ends the change for good, so its terminal state must be recorded now:
 * the job's last attempt, or a tool that is not installed (retrying cannot bring it back).
 */
export function endsForGood(job: Pick<JobContext<unknown>, 'attempt' | 'attempts'>, err: unknown): boolean {
  if (err instanceof ChainopsError && err.code === 'unavailable' && /could not start/.test(err.message)) return true;
  return job.attempt >= (job.attempts ?? 1);
}
