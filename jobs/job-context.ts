import type { QueueName } from '../src/ports/queue.port.ts';

/**
 * What a processor gets for one job, whatever runs it (BullMQ worker host or the in-memory queue).
 * `data` is unparsed: each processor validates it with its own zod schema first thing.
 */
export interface JobContext<T> {
  id: string;
  queue: QueueName;
  data: T;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** Attempts the job gets in all (BullMQ `attempts`); the processor records a terminal state on the last. @defaultValue 1 */
  attempts?: number;
  /** Report progress (a neutral value the renderer understands); stored with the job. */
  progress(p: unknown): Promise<void>;
  /** Append a line to the job's full log (trimmed only when shown in chat). */
  log(line: string): Promise<void>;
}

/**
 * Runs one job. Throw `ChainopsError('job_data_invalid', …)` for data that can never succeed (no
 * retries); any other error is retried with backoff.
 */
export type Processor = (ctx: JobContext<unknown>) => Promise<unknown>;
