import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { processRedactor } from '../src/secrets/process-secrets.ts';
import { Redis } from 'ioredis';
import { queuePrefix } from '../src/ports/key-layout.ts';
import { watchBlocking } from './blocking-watchdog.ts';
import type { QueueName } from '../src/ports/queue.port.ts';
import { ChainopsError, errorMessage } from '../src/errors.ts';
import type { JobContext, Processor } from './job-context.ts';

/** The slice of a logger the host uses: a pino logger fits, and so does a tiny test fake. */
export interface HostLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerHostOptions {
  /** A plain redis:// URL, used when `connect` is not given. */
  redisUrl: string;
  /**
   * A new connection for one worker, from any REDIS_URL form (the worker role passes `createRedis(url,
   * 'worker')`, which follows Sentinel, Cluster and TLS); it must set `maxRetriesPerRequest: null`.
   * @defaultValue a plain ioredis client of `redisUrl`
   */
  connect?: () => Redis;
  /** The install's base prefix; must match the producer's (BullJobQueue `prefix`); each queue adds its hash tag. */
  prefix: string;
  /** One BullMQ Worker is started per queue listed here. */
  processors: Partial<Record<QueueName, Processor>>;
  /** Jobs run at once per queue in this process. @defaultValue 4 */
  concurrency?: number;
  logger: HostLogger;
  /**
   * How long a job's lock lasts without renewal (renewed every half of it while the job runs); a
   * worker that dies loses its jobs to another after about this long plus `stalledIntervalMs`. So
   * does a job BullMQ handed out in a reply that Redis lost when it restarted. @defaultValue 15 000
   */
  lockDurationMs?: number;
  /** How often stalled jobs (of dead workers) are looked for. @defaultValue 5 000, or lockDurationMs if less */
  stalledIntervalMs?: number;
  /** A worker whose blocking connection has not been ready this long is replaced by a new one (`CHAINOPS_WORKER_STUCK_MS`). @defaultValue 10 000 */
  stuckMs?: number;
}

export interface WorkerHost {
  /** Stop taking jobs and wait for the active ones to finish (graceful). */
  close(): Promise<void>;
}

function contextOf(job: Job, queue: QueueName): JobContext<unknown> {
  return {
    id: String(job.id),
    queue,
    data: job.data,
    // attemptsMade counts finished attempts, so the running one is the next.
    attempt: job.attemptsMade + 1,
    attempts: job.opts.attempts ?? 1,
    progress: (p) => job.updateProgress(p as object),
    log: async (line) => void (await job.log(processRedactor().redact(line))),
  };
}

/**
 * BullMQ's own defaults (30 s lock, 30 s stalled check) leave a job orphaned for up to a minute when
 * the reply that handed it out was lost in a Redis restart. Jobs here are I/O-bound (no event-loop
 * stall comes near 7 s), so a shorter lock costs one renewal every 7.5 s and halves the wait.
 */
const DEFAULT_LOCK_MS = 15_000;
const DEFAULT_STALLED_CHECK_MS = 5_000;

/** Wrap a neutral processor: bad job data becomes BullMQ's UnrecoverableError so it is not retried. */
function toBullProcessor(queue: QueueName, processor: Processor) {
  return async (job: Job): Promise<unknown> => {
    try {
      return await processor(contextOf(job, queue));
    } catch (err) {
      if (err instanceof ChainopsError && (err.code === 'job_data_invalid' || err.code === 'not_implemented')) {
        throw new UnrecoverableError(err.message);
      }
      throw err;
    }
  };
}

/** The BullMQ worker's dedicated blocking connection, if its backend has one. */
function blockingClient(worker: Worker): Promise<Redis | undefined> {
  const pending = (worker.backend as { blockingClient?: Promise<Redis> }).blockingClient;
  return pending ? pending.catch(() => undefined) : Promise.resolve(undefined);
}

/** A worker connection without the topology support of the worker role's `connect` (tests, tools). */
function plainConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (n: number) => Math.min(n * 100, 2_000) });
  redis.on('error', () => {}); // the Worker's own 'error' listener reports what matters
  return redis;
}

/** How long a worker's blocking connection may stay not ready before the worker is recreated. */
const DEFAULT_STUCK_MS = 10_000;

/** Start one BullMQ Worker per queue that has a processor. Signals are the caller's: see `onShutdown`. */
export async function startWorkerHost(opts: WorkerHostOptions): Promise<WorkerHost> {
  const { logger } = opts;
  const slots = new Map<QueueName, { worker: Worker; redis: Redis }>();
  const retiring = new Set<Promise<void>>();

  const startWorker = (name: QueueName, processor: Processor) => {
    // One connection per worker from any REDIS_URL form (Sentinel, Cluster, TLS); BullMQ duplicates it
    // for its blocking connection and closes that one itself.
    const redis = opts.connect?.() ?? plainConnection(opts.redisUrl);
    const worker = new Worker(name, toBullProcessor(name, processor), {
      connection: redis,
      prefix: queuePrefix(opts.prefix, name),
      concurrency: opts.concurrency ?? 4,
      lockDuration: opts.lockDurationMs ?? DEFAULT_LOCK_MS,
      stalledInterval: opts.stalledIntervalMs ?? Math.min(DEFAULT_STALLED_CHECK_MS, opts.lockDurationMs ?? DEFAULT_LOCK_MS),
      // A rollout may be taken over more than once (several worker crashes); it resumes from its checkpoint.
      maxStalledCount: 5,
    });
    worker.on('error', (err) => logger.warn({ queue: name, err: err.message }, `worker ${name}: ${err.message}`));
    worker.on('active', (job) => logger.info({ queue: name, jobId: job.id, attempt: job.attemptsMade + 1 }, 'job started'));
    worker.on('completed', (job) => logger.info({ queue: name, jobId: job.id }, 'job completed'));
    worker.on('failed', (job, err) =>
      logger.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    slots.set(name, { worker, redis });
    return worker;
  };

  /** Close a worker (its active jobs finish first) and then its connection; never throws. */
  const retire = (slot: { worker: Worker; redis: Redis }) => {
    // BullMQ drops its 'error' listener from its blocking connection on close; one caught mid-failover
    // may still be reconnecting then (BullMQ #4378), and a Sentinel client closed with QUIT keeps its
    // subscriptions to the sentinels. disconnect() ends both, quietly.
    const blocking = blockingClient(slot.worker);
    const done = slot.worker
      .close()
      .then(async () => {
        const b = await blocking;
        if (b) {
          b.on('error', () => {});
          b.disconnect();
        }
      })
      .catch((err: unknown) => logger.warn({ queue: slot.worker.name, err: errorMessage(err) }, 'closing a worker failed'))
      .then(() => slot.redis.quit())
      .catch(() => undefined)
      // After QUIT too: it also ends a Sentinel client's subscriptions to the sentinels.
      .then(() => slot.redis.disconnect());
    retiring.add(done);
    void done.finally(() => retiring.delete(done));
    return done;
  };

  const processors = Object.entries(opts.processors).filter((e): e is [QueueName, Processor] => e[1] !== undefined);
  for (const [name, processor] of processors) startWorker(name, processor);
  await Promise.all([...slots.values()].map((s) => s.worker.waitUntilReady()));
  logger.info({ queues: [...slots.keys()] }, 'worker host started');

  const stuckMs = opts.stuckMs ?? DEFAULT_STUCK_MS;
  const watchdog = watchBlocking(
    () => [...slots].map(([name, s]) => [name, s.worker] as [string, Worker]),
    (key) => {
      const name = key as QueueName;
      const old = slots.get(name);
      const processor = opts.processors[name];
      if (!old || !processor) return;
      logger.warn({ queue: name, stuckMs }, `worker ${name}: its blocking Redis connection has not been ready for ${Math.round(stuckMs / 1000)}s (failover?); starting a new worker for the queue`);
      startWorker(name, processor);
      void retire(old);
    },
    { stuckMs },
  );

  let closing: Promise<void> | undefined;
  return {
    close() {
      // close() without `force` lets active jobs finish; a second call gets the same promise.
      watchdog.stop();
      closing ??= Promise.all([...[...slots.values()].map(retire), ...retiring]).then(() => logger.info({}, 'worker host stopped'));
      return closing;
    },
  };
}

/**
 * Run `fn` once on the first of `signals` (usually `['SIGTERM', 'SIGINT']`), then exit 0 (1 if it threw).
 * A second signal while `fn` runs exits 1 at once: the operator asked twice.
 */
export function onShutdown(
  signals: NodeJS.Signals[],
  fn: () => Promise<void>,
  log: Pick<HostLogger, 'info' | 'error'> = { info: (_o, m) => console.log(m), error: (_o, m) => console.error(m) },
): void {
  let started = false;
  const handler = (sig: NodeJS.Signals) => {
    if (started) {
      log.error({ signal: sig }, `${sig} again during shutdown: exiting now`);
      process.exit(1);
    }
    started = true;
    log.info({ signal: sig }, `${sig}: shutting down, waiting for active jobs`);
    fn().then(
      () => process.exit(0),
      (err) => {
        log.error({ err: errorMessage(err) }, `shutdown failed: ${errorMessage(err)}`);
        process.exit(1);
      },
    );
  };
  for (const sig of signals) process.on(sig, handler);
}
