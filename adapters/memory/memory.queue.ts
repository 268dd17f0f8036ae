import type { EnqueueOptions, JobInfo, JobQueue, QueueName } from '../../src/ports/queue.port.ts';
import { systemClock, type Clock } from '../../src/ports/clock.port.ts';
import { ChainopsError, errorMessage } from '../../src/errors.ts';

/**
 * Same shape as `Processor` in jobs/job-context.ts, restated here because adapters may import only
 * from src/; TypeScript's structural typing lets a real processor be passed to `run()` unchanged.
 */
export type MemoryProcessor = (ctx: {
  id: string;
  queue: QueueName;
  data: unknown;
  attempt: number;
  attempts?: number;
  progress(p: unknown): Promise<void>;
  log(line: string): Promise<void>;
}) => Promise<unknown>;

interface StoredJob {
  info: JobInfo;
  seq: number;
  logs: string[];
}

export interface MemoryQueueOptions {
  /** @defaultValue systemClock */
  clock?: Clock;
  /** Runs per job before it fails for good (as BullMQ's `attempts`; retries are immediate). @defaultValue 3 */
  attempts?: number;
}

/**
 * In-memory JobQueue for unit tests and the no-Redis mode. It records every job; after
 * `run(queue, processor)` it also processes that queue in-process, one job at a time, with the same
 * idempotent ids and the same retry rule as the BullMQ worker host.
 */
export class MemoryJobQueue implements JobQueue {
  readonly #clock: Clock;
  readonly #attempts: number;
  readonly #jobs = new Map<string, StoredJob>();
  readonly #processors = new Map<QueueName, MemoryProcessor>();
  readonly #running = new Map<QueueName, Promise<void>>();
  readonly #schedules = new Map<string, { queue: QueueName; everyMs: number; data: unknown }>();
  #seq = 0;

  /** See {@link MemoryQueueOptions} for defaults. */
  constructor(opts: MemoryQueueOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.#attempts = opts.attempts ?? 3;
  }

  async enqueue(queue: QueueName, jobId: string, data: unknown, opts: EnqueueOptions = {}): Promise<{ id: string; created: boolean }> {
    const key = `${queue}/${jobId}`;
    if (this.#jobs.has(key)) return { id: jobId, created: false };
    const delayed = (opts.delayMs ?? 0) > 0;
    const info: JobInfo = { id: jobId, queue, state: delayed ? 'delayed' : 'waiting', data: structuredClone(data), createdAt: this.#clock.now() };
    this.#jobs.set(key, { info, seq: this.#seq++, logs: [] });
    if (!delayed) this.#kick(queue);
    else {
      setTimeout(() => {
        if (info.state !== 'delayed') return;
        info.state = 'waiting';
        this.#kick(queue);
      }, opts.delayMs).unref();
    }
    return { id: jobId, created: true };
  }

  async get(queue: QueueName, jobId: string): Promise<JobInfo | undefined> {
    const job = this.#jobs.get(`${queue}/${jobId}`);
    return job ? structuredClone(job.info) : undefined;
  }

  /** Newest first across all queues. */
  async list(limit: number, queues?: readonly QueueName[]): Promise<JobInfo[]> {
    return [...this.#jobs.values()]
      .filter((j) => !queues || queues.includes(j.info.queue))
      .sort((a, b) => b.info.createdAt - a.info.createdAt || b.seq - a.seq)
      .slice(0, Math.max(0, limit))
      .map((j) => structuredClone(j.info));
  }

  async cancel(queue: QueueName, jobId: string): Promise<boolean> {
    const key = `${queue}/${jobId}`;
    const job = this.#jobs.get(key);
    if (!job || (job.info.state !== 'waiting' && job.info.state !== 'delayed')) return false;
    return this.#jobs.delete(key);
  }

  /** Record a repeating job (it is not fired: unit tests enqueue what a tick would). */
  async upsertSchedule(queue: QueueName, schedulerId: string, everyMs: number, data: unknown): Promise<void> {
    this.#schedules.set(schedulerId, { queue, everyMs, data: structuredClone(data) });
  }

  /** Schedules recorded by `upsertSchedule`, by scheduler id. */
  schedules(): Map<string, { queue: QueueName; everyMs: number; data: unknown }> {
    return structuredClone(this.#schedules);
  }

  /** Everything enqueued (and not cancelled), oldest first; optionally one queue only. */
  jobs(queue?: QueueName): JobInfo[] {
    return [...this.#jobs.values()]
      .filter((j) => !queue || j.info.queue === queue)
      .sort((a, b) => a.seq - b.seq)
      .map((j) => structuredClone(j.info));
  }

  /** Lines a job wrote with `ctx.log`. */
  logs(queue: QueueName, jobId: string): string[] {
    return [...(this.#jobs.get(`${queue}/${jobId}`)?.logs ?? [])];
  }

  /** Process `queue` in-process from now on, waiting jobs first. */
  run(queue: QueueName, processor: MemoryProcessor): void {
    this.#processors.set(queue, processor);
    this.#kick(queue);
  }

  /** Resolves once no job is waiting or active in the queues that have a processor. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  /** Waits for running jobs; nothing else to release. */
  async close(): Promise<void> {
    this.#processors.clear();
    await this.idle();
  }

  #kick(queue: QueueName): void {
    if (!this.#processors.has(queue) || this.#running.has(queue)) return;
    const run = this.#drain(queue).finally(() => {
      this.#running.delete(queue);
      // A job enqueued after the loop's last look but before this line would otherwise wait forever.
      if (this.#nextWaiting(queue)) this.#kick(queue);
    });
    this.#running.set(queue, run);
  }

  #nextWaiting(queue: QueueName): StoredJob | undefined {
    let next: StoredJob | undefined;
    for (const j of this.#jobs.values()) {
      if (j.info.queue === queue && j.info.state === 'waiting' && (!next || j.seq < next.seq)) next = j;
    }
    return next;
  }

  async #drain(queue: QueueName): Promise<void> {
    // Yield first so `enqueue` returns to its caller before the job starts, as with a real queue.
    await new Promise((r) => setImmediate(r));
    for (let job = this.#nextWaiting(queue); job; job = this.#nextWaiting(queue)) {
      const processor = this.#processors.get(queue);
      if (!processor) return;
      await this.#runOne(job, processor);
    }
  }

  async #runOne(job: StoredJob, processor: MemoryProcessor): Promise<void> {
    const { info } = job;
    info.state = 'active';
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await processor({
          id: info.id,
          queue: info.queue,
          data: structuredClone(info.data),
          attempt,
          attempts: this.#attempts,
          progress: async (p) => void (info.progress = structuredClone(p)),
          log: async (line) => void job.logs.push(line),
        });
        Object.assign(info, { state: 'completed', result, finishedAt: this.#clock.now() });
        return;
      } catch (err) {
        // Same rule as the worker host: bad job data never gets better, so it is not retried.
        const unrecoverable = err instanceof ChainopsError && err.code === 'job_data_invalid';
        if (unrecoverable || attempt >= this.#attempts) {
          Object.assign(info, { state: 'failed', failedReason: errorMessage(err), finishedAt: this.#clock.now() });
          return;
        }
      }
    }
  }
}
