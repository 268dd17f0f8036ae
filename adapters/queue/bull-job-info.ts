import type { Job, JobsOptions, JobState as BullJobState, JobType } from 'bullmq';
import type { JobInfo, JobState, QueueName } from '../../src/ports/queue.port.ts';

/** BullMQ states read by `list()`, in the order a person scans them. */
export const LISTED_BULL_STATES: JobType[] = [
  'active', 'waiting', 'prioritized', 'waiting-children', 'delayed', 'completed', 'failed',
];

/** States in which a job has not started, so `cancel()` may remove it. */
export const NOT_STARTED = new Set<string>(['waiting', 'prioritized', 'waiting-children', 'delayed', 'wait']);

/**
 * Defaults for every job: 3 attempts with exponential backoff (a processor opts out by throwing
 * `job_data_invalid`, which becomes UnrecoverableError). Finished jobs are kept for days because a
 * job id only de-duplicates while its job still exists.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
};

/** Map a BullMQ state to the port's neutral state; `paused` when the queue is paused and the job waits. */
export function toJobState(state: BullJobState | JobType | 'unknown', queuePaused = false): JobState {
  switch (state) {
    case 'waiting':
    case 'wait':
    case 'prioritized':
    case 'waiting-children':
      return queuePaused ? 'paused' : 'waiting';
    case 'active':
    case 'completed':
    case 'failed':
    case 'delayed':
      return state;
    default:
      return 'unknown';
  }
}

/** Neutral view of a BullMQ job (what `/chainops jobs` shows). */
export function toJobInfo(job: Job, queue: QueueName, state: JobState): JobInfo {
  const info: JobInfo = { id: String(job.id), queue, state, data: job.data, createdAt: job.timestamp };
  if (job.progress !== undefined && job.progress !== 0) info.progress = job.progress;
  if (job.returnvalue !== undefined && job.returnvalue !== null) info.result = job.returnvalue;
  if (job.failedReason) info.failedReason = job.failedReason;
  if (job.finishedOn) info.finishedAt = job.finishedOn;
  return info;
}
