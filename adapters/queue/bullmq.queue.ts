import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type EnqueueOptions, type JobInfo, type JobQueue, type QueueName } from '../../src/ports/queue.port.ts';
import { ChainopsError, errorMessage } from '../../src/errors.ts';
import { closeRedis, createRedis, type LogSink } from '../redis/redis-connection.ts';
import { queuePrefix } from '../../src/ports/key-layout.ts';
import { DEFAULT_JOB_OPTIONS, LISTED_BULL_STATES, NOT_STARTED, toJobInfo, toJobState } from './bull-job-info.ts';

export interface BullJobQueueOptions {
  /** Redis URL; a fail-fast `producer` connection is made from it unless `connection` is given. */
  redisUrl?: string;
  /** A connection to use instead (not closed by `close()`); must not set ioredis `keyPrefix`. */
  connection?: Redis;
  /** The install's base prefix; each queue's BullMQ prefix is `queuePrefix(prefix, queue)`, keys `{prefix:q:queue}:queue:…`. */
  prefix: string;
  /** Per-queue overrides merged over {@link DEFAULT_JOB_OPTIONS}. @defaultValue none */
  jobOptions?: Partial<Record<QueueName, JobsOptions>>;
  /** @defaultValue console */
  logger?: LogSink;
}

/** JobQueue on BullMQ: one Queue per name in QUEUE_NAMES, all on one producer connection. */
export class BullJobQueue implements JobQueue {
  readonly #redis: Redis;
  readonly #ownsRedis: boolean;
  readonly #queues = new Map<QueueName, Queue>();
  readonly #jobOptions: Partial<Record<QueueName, JobsOptions>>;

  /** Needs `redisUrl` or `connection`; see {@link BullJobQueueOptions}. */
  constructor(opts: BullJobQueueOptions) {
    if (!opts.connection && !opts.redisUrl) throw new Error('BullJobQueue needs redisUrl or connection');
    this.#ownsRedis = !opts.connection;
    this.#redis = opts.connection ?? createRedis(opts.redisUrl as string, 'producer', opts.logger);
    this.#jobOptions = opts.jobOptions ?? {};
    for (const name of QUEUE_NAMES) {
      const q = new Queue(name, { connection: this.#redis, prefix: queuePrefix(opts.prefix, name) });
      // Connection trouble is already logged by createRedis; this only keeps 'error' from being unhandled.
      q.on('error', (err: Error) => opts.logger?.warn({ queue: name, err: err.message }, `queue ${name}: ${err.message}`));
      this.#queues.set(name, q);
    }
  }

  #q(queue: QueueName): Queue {
    const q = this.#queues.get(queue);
    if (!q) throw new ChainopsError('not_found', `unknown queue ${queue} — use one of ${QUEUE_NAMES.join(', ')}`);
    return q;
  }

  #opts(queue: QueueName): JobsOptions {
    return { ...DEFAULT_JOB_OPTIONS, ...this.#jobOptions[queue] };
  }

  /**
   * Add under an idempotent id. BullMQ's add script is atomic and keeps the first job for an id, but
   * answers a duplicate with a local Job object that looks new. So each call names its job with a
   * nonce and reads the stored name back: only the call whose nonce was stored created the job.
   */
  async enqueue(queue: QueueName, jobId: string, data: unknown, opts: EnqueueOptions = {}): Promise<{ id: string; created: boolean }> {
    if (!jobId || jobId.includes(':') || String(Number.parseInt(jobId, 10)) === jobId) {
      throw new ChainopsError('internal', `job id "${jobId}" is not usable: it must be non-empty, not a bare integer and without ":"`);
    }
    const q = this.#q(queue);
    const name = `${queue}@${randomUUID()}`;
    try {
      await q.add(name, data, { ...this.#opts(queue), jobId, ...(opts.delayMs ? { delay: opts.delayMs } : {}) });
      const stored = await this.#redis.hget(q.toKey(jobId), 'name');
      // `stored` is null only if the job finished and was removed in between: then it existed, and
      // the only one that can have vanished so fast is a fresh one; report it as created.
      return { id: jobId, created: stored === name || stored === null };
    } catch (err) {
      throw new ChainopsError(
        'unavailable',
        `could not queue the ${queue} job (${errorMessage(err)}) — the job queue (Redis) is unreachable; try again in a minute`,
        { cause: err },
      );
    }
  }

  async get(queue: QueueName, jobId: string): Promise<JobInfo | undefined> {
    const q = this.#q(queue);
    let job = await q.getJob(jobId);
    if (!job) return undefined;
    const [state, paused] = await Promise.all([job.getState(), q.isPaused()]);
    // The job may have finished between the two reads: read it again so its result matches its state.
    if ((state === 'completed' || state === 'failed') && !job.finishedOn) job = (await q.getJob(jobId)) ?? job;
    return toJobInfo(job, queue, toJobState(state, paused));
  }

  /** Newest first (by creation time) across `queues` (default: all). */
  async list(limit: number, queues: readonly QueueName[] = QUEUE_NAMES): Promise<JobInfo[]> {
    if (limit <= 0) return [];
    const perQueue = await Promise.all(
      queues.map(async (queue) => {
        const q = this.#q(queue);
        const paused = await q.isPaused();
        const perState = await Promise.all(
          LISTED_BULL_STATES.map(async (state) => {
            const jobs = await q.getJobs([state], 0, limit - 1, false);
            return jobs.map((job) => toJobInfo(job, queue, toJobState(state, paused)));
          }),
        );
        return perState.flat();
      }),
    );
    return perQueue.flat().sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
  }

  /** Remove a job that has not started; false when it is active, finished or gone. */
  async cancel(queue: QueueName, jobId: string): Promise<boolean> {
    const job = await this.#q(queue).getJob(jobId);
    if (!job || !NOT_STARTED.has(await job.getState())) return false;
    try {
      await job.remove();
      return true;
    } catch (err) {
      // A worker took it between the state check and the remove: BullMQ refuses to remove a locked job.
      if (/lock/i.test(errorMessage(err))) return false;
      throw err;
    }
  }

  /**
   * Create or update a repeating job (BullMQ job scheduler). Idempotent per `schedulerId`, so every
   * replica may call it at start-up without creating duplicates.
   */
  async upsertSchedule(queue: QueueName, schedulerId: string, everyMs: number, data: unknown): Promise<void> {
    const { jobId: _j, delay: _d, deduplication: _x, ...opts } = this.#opts(queue);
    await this.#q(queue).upsertJobScheduler(schedulerId, { every: everyMs }, { name: schedulerId, data, opts });
  }

  /** Stop a repeating job; false when there was none. */
  async removeSchedule(queue: QueueName, schedulerId: string): Promise<boolean> {
    return this.#q(queue).removeJobScheduler(schedulerId);
  }

  /** Close all queues, then the connection when it was created here. */
  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    if (this.#ownsRedis) await closeRedis(this.#redis);
  }
}
