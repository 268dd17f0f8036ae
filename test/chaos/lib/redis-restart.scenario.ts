// Chaos item 2: Redis (with AOF) restarted while jobs are queued, using the real BullMQ queue
// adapter and the real worker host. The scenario holds the first jobs in the processors so the
// first restart happens with almost every job still waiting; later restarts hit a queue that is
// being drained at full speed (jobs active, locks held, completions in flight).
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { queuePrefix } from '../../../src/ports/key-layout.ts';
import { startRedisServer, type RedisServerHandle } from '../../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../../adapters/local/wait-for.ts';
import { BullJobQueue } from '../../../adapters/queue/bullmq.queue.ts';
import { startWorkerHost, type WorkerHost } from '../../../jobs/worker-host.ts';
import { ChainopsError } from '../../../src/errors.ts';

export interface RedisRestartOptions {
  jobs: number;
  /** Restarts in all: the first while the processors hold their first jobs, the rest mid-drain. */
  restarts: number;
  /** Worker host processes-worth (each its own BullMQ Worker and connections). @defaultValue 2 */
  workers?: number;
  /** @defaultValue 8 */
  concurrency?: number;
  /** How long to wait for the queue to drain after the last restart. @defaultValue 120 000 ms */
  drainTimeoutMs?: number;
}

export interface RedisRestartResult {
  jobs: number;
  /** Job ids the processors saw at least once. */
  processed: number;
  /** Extra runs of a job already run (at-least-once delivery: a job active during a restart may run again). */
  reruns: number;
  completed: number;
  failed: number;
  waitingAtFirstRestart: number;
  activeAtFirstRestart: number;
  /** Jobs that ran after each restart, so "resumed by themselves" is shown, not assumed. */
  processedAfterRestart: number[];
  /** What enqueue attempts during a restart got: created (and kept) or refused with `unavailable`. */
  duringRestart: { created: number; refused: number; refusalMessages: string[]; createdButLost: number };
  /**
   * From the last restart until every job had run. A job whose `moveToFinished` reply was lost in a
   * restart can leave the next job orphaned in `active` until BullMQ's stalled-job check (30 s
   * interval, two passes) puts it back, so this can reach about a minute.
   */
  drainMsAfterLastRestart: number;
  /** `Missing lock … moveToFinished` and similar lines the worker hosts logged. */
  warnings: string[];
}

const quiet = (warnings: string[]) => ({ info() {}, warn: (_o: object, m?: string) => void warnings.push(m ?? ''), error: (_o: object, m?: string) => void warnings.push(m ?? '') });

export async function redisRestartScenario(opts: RedisRestartOptions): Promise<RedisRestartResult> {
  const workers = opts.workers ?? 2;
  const concurrency = opts.concurrency ?? 8;
  const warnings: string[] = [];
  const logger = quiet(warnings);
  const prefix = `chaos-${randomUUID().slice(0, 8)}`;
  let server: RedisServerHandle | undefined;
  const hosts: WorkerHost[] = [];
  let queue: BullJobQueue | undefined;
  let inspect: Queue | undefined;
  let release = () => {};
  try {
    server = await startRedisServer({ appendonly: true });
    const srv = server;
    queue = new BullJobQueue({ redisUrl: srv.url, prefix, logger, jobOptions: { health: { backoff: { type: 'fixed', delay: 50 } } } });
    inspect = new Queue('health', { connection: { url: srv.url, maxRetriesPerRequest: null }, prefix: queuePrefix(prefix, 'health') });
    inspect.on('error', () => undefined); // reconnects on its own; errors while Redis is away are expected

    const runs = new Map<string, number>();
    let held = true;
    const gate = new Promise<void>((r) => (release = r));
    let processedTotal = 0;
    const processor = async (ctx: { id: string }) => {
      runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
      processedTotal++;
      if (held) await gate;
      else await new Promise((r) => setImmediate(r));
      return { ok: true };
    };
    for (let i = 0; i < workers; i++) {
      hosts.push(await startWorkerHost({ redisUrl: srv.url, prefix, concurrency, logger, processors: { health: processor } }));
    }

    // Queue the jobs through the product's producer (idempotent ids, fail-fast connection).
    const ids = Array.from({ length: opts.jobs }, (_, i) => `chaos-${i}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => queue!.enqueue('health', id, { v: 1, kind: 'sweep' })));
    }
    // Every processor slot holds a job; the rest wait in Redis.
    const slots = Math.min(workers * concurrency, opts.jobs);
    await waitFor(async () => runs.size >= slots, { what: `${slots} jobs to be held active`, timeoutMs: 20_000, intervalMs: 10 });
    const counts0 = await inspect.getJobCounts('waiting', 'active', 'completed', 'failed');
    const processedAfterRestart: number[] = [];

    const restart = async () => {
      const before = processedTotal;
      await srv.restart();
      return before;
    };

    // Restart 1: almost everything still waiting.
    const before1 = await restart();
    held = false;
    release();
    const marks: number[] = [before1];
    // Restarts 2…n: while the queue drains at full speed.
    for (let k = 2; k <= opts.restarts; k++) {
      const target = Math.floor((opts.jobs * (k - 1)) / opts.restarts);
      await waitFor(async () => runs.size >= target, { what: `${target} jobs processed before restart ${k}`, timeoutMs: 60_000, intervalMs: 5 });
      marks.push(await restart());
    }
    const lastRestartAt = performance.now();
    await waitFor(async () => runs.size >= opts.jobs, { what: `all ${opts.jobs} jobs to be processed (${runs.size} so far)`, timeoutMs: opts.drainTimeoutMs ?? 120_000, intervalMs: 20 });
    const drainMs = Math.round(performance.now() - lastRestartAt);
    for (const m of marks) processedAfterRestart.push(processedTotal - m);
    const counts = await waitFor(async () => {
      const c = await inspect!.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
      return (c.completed ?? 0) + (c.failed ?? 0) >= opts.jobs && !c.active ? c : undefined;
    }, { what: 'every job to reach a final state in Redis', timeoutMs: 60_000, intervalMs: 50 });

    // Producers during a restart: an enqueue either fails fast with a clear `unavailable` error, or it
    // was acknowledged, in which case the job must still be there afterwards.
    const during = { created: 0, refused: 0, refusalMessages: [] as string[], createdButLost: 0 };
    const createdIds: string[] = [];
    let n = 0;
    const restarting = srv.restart();
    let done = false;
    void restarting.then(() => (done = true));
    while (!done) {
      const id = `during-${n++}`;
      try {
        await queue.enqueue('drift', id, { v: 1 });
        during.created++;
        createdIds.push(id);
      } catch (err) {
        during.refused++;
        if (err instanceof ChainopsError && err.code === 'unavailable') {
          if (during.refusalMessages.length < 3 && !during.refusalMessages.includes(err.message)) during.refusalMessages.push(err.message);
        } else throw err;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await restarting;
    // The producer comes back by itself too.
    await waitFor(async () => (await queue!.enqueue('drift', `after-${randomUUID().slice(0, 8)}`, { v: 1 })).created, { what: 'enqueue to work again after the restart', timeoutMs: 20_000, intervalMs: 50 });
    for (const id of createdIds) if (!(await queue.get('drift', id))) during.createdButLost++;

    let reruns = 0;
    for (const r of runs.values()) reruns += r - 1;
    return {
      jobs: opts.jobs,
      processed: ids.filter((id) => runs.has(id)).length,
      reruns,
      completed: counts.completed ?? 0,
      failed: counts.failed ?? 0,
      waitingAtFirstRestart: counts0.waiting ?? 0,
      activeAtFirstRestart: counts0.active ?? 0,
      processedAfterRestart,
      duringRestart: during,
      drainMsAfterLastRestart: drainMs,
      warnings,
    };
  } finally {
    release(); // a failed run must not leave processors (and so close()) waiting forever
    for (const h of hosts) await h.close().catch(() => undefined);
    await inspect?.close().catch(() => undefined);
    await queue?.close().catch(() => undefined);
    await server?.stop();
  }
}
