/** Queue names, one per job kind. */
export const QUEUE_NAMES = ['health', 'upgrade', 'provision', 'drift', 'remediate', 'page', 'release', 'promotion'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'paused' | 'unknown';

export interface JobInfo {
  id: string;
  queue: QueueName;
  state: JobState;
  /** Validated job data (versioned, no secrets). */
  data: unknown;
  progress?: unknown;
  result?: unknown;
  failedReason?: string;
  createdAt: number;
  finishedAt?: number;
}

export interface EnqueueOptions {
  /** Run no sooner than this many ms from now (state `delayed` until then). */
  delayMs?: number;
}

/** The job queue the core enqueues into (BullMQ in production, in-memory in unit tests). */
export interface JobQueue {
  /**
   * Add a job under an idempotent id: adding the same id twice returns the existing job
   * with `created: false` instead of running it twice.
   */
  enqueue(queue: QueueName, jobId: string, data: unknown, opts?: EnqueueOptions): Promise<{ id: string; created: boolean }>;
  get(queue: QueueName, jobId: string): Promise<JobInfo | undefined>;
  /** Most recent jobs across `queues` (default: all), newest first. */
  list(limit: number, queues?: readonly QueueName[]): Promise<JobInfo[]>;
  /** Remove a job that has not started; returns false when it is running or gone. */
  cancel(queue: QueueName, jobId: string): Promise<boolean>;
}
