import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { BullJobQueue } from '../../adapters/queue/bullmq.queue.ts';
import { startWorkerHost } from '../../jobs/worker-host.ts';
import type { JobContext } from '../../jobs/job-context.ts';
import { ChainopsError } from '../../src/errors.ts';

const quiet = { info() {}, warn() {}, error() {} };
let server: RedisServerHandle;
const open: { close(): Promise<void> }[] = [];

before(async () => {
  server = await startRedisServer();
});
after(async () => {
  for (const c of open.reverse()) await c.close();
  await server.stop();
});

/** A fresh prefix per test, so hosts of different tests never take each other's jobs. */
function setup(url = server.url) {
  const prefix = `test-${randomUUID()}`;
  // Short fixed backoff so a retry shows up within the test's deadline.
  const queue = new BullJobQueue({ redisUrl: url, prefix, logger: quiet, jobOptions: { upgrade: { backoff: { type: 'fixed', delay: 20 } } } });
  open.push(queue);
  return { prefix, queue };
}

const gate = () => {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { wait: p, open };
};

describe('worker host', () => {
  it('runs a job with the neutral context: data, attempt, progress, log, result', async () => {
    const { prefix, queue } = setup();
    const seen: JobContext<unknown>[] = [];
    const h = await startWorkerHost({
      redisUrl: server.url, prefix, logger: quiet,
      processors: {
        health: async (ctx) => {
          seen.push(ctx);
          await ctx.progress({ checked: 2, of: 3 });
          await ctx.log('node a: head 123');
          return { healthy: 3 };
        },
      },
    });
    open.push(h);
    await queue.enqueue('health', 'hc-ctx', { v: 1, nodes: ['a', 'b', 'c'] });
    await waitFor(async () => (await queue.get('health', 'hc-ctx'))?.state === 'completed', { what: 'hc-ctx to complete' });
    const info = (await queue.get('health', 'hc-ctx'))!;
    assert.deepEqual(info.result, { healthy: 3 });
    assert.deepEqual(info.progress, { checked: 2, of: 3 });
    assert.ok(info.finishedAt! >= info.createdAt);
    assert.equal(seen.length, 1);
    assert.deepEqual([seen[0]!.id, seen[0]!.queue, seen[0]!.attempt, seen[0]!.data], ['hc-ctx', 'health', 1, { v: 1, nodes: ['a', 'b', 'c'] }]);
  });

  it('does not retry job_data_invalid, but retries other errors', async () => {
    const { prefix, queue } = setup();
    const attempts: Record<string, number[]> = {};
    open.push(await startWorkerHost({
      redisUrl: server.url, prefix, logger: quiet,
      processors: {
        upgrade: async (ctx) => {
          (attempts[ctx.id] ??= []).push(ctx.attempt);
          if (ctx.id === 'upg-bad') throw new ChainopsError('job_data_invalid', 'job data: v must be 1');
          if (ctx.attempt === 1) throw new Error('ssh: connection reset');
          return 'done';
        },
      },
    }));
    await queue.enqueue('upgrade', 'upg-bad', { v: 7 });
    await queue.enqueue('upgrade', 'upg-flaky', { v: 1 });
    await waitFor(async () => (await queue.get('upgrade', 'upg-flaky'))?.state === 'completed', { what: 'flaky job to succeed on retry' });
    await waitFor(async () => (await queue.get('upgrade', 'upg-bad'))?.state === 'failed', { what: 'bad job to fail' });
    const bad = (await queue.get('upgrade', 'upg-bad'))!;
    assert.equal(bad.failedReason, 'job data: v must be 1');
    assert.deepEqual(attempts, { 'upg-bad': [1], 'upg-flaky': [1, 2] });
  });

  it('close() waits for the active job to finish', async () => {
    const { prefix, queue } = setup();
    const g = gate();
    const order: string[] = [];
    let started = false;
    const h = await startWorkerHost({
      redisUrl: server.url, prefix, logger: quiet,
      processors: {
        provision: async () => {
          started = true;
          await g.wait;
          order.push('job finished');
        },
      },
    });
    await queue.enqueue('provision', 'pv-slow', { v: 1 });
    await waitFor(async () => started, { what: 'job to start' });
    let closed = false;
    const closing = h.close().then(() => {
      closed = true;
      order.push('host closed');
    });
    // A close that did not wait would settle within this window while the job is still blocked.
    await assert.rejects(waitFor(async () => closed, { what: 'close', timeoutMs: 300, intervalMs: 10 }));
    g.open();
    await closing;
    assert.deepEqual(order, ['job finished', 'host closed']);
    assert.equal((await queue.get('provision', 'pv-slow'))?.state, 'completed');
  });

  it('loses no waiting job over a Redis restart (AOF) and resumes by itself', async () => {
    const own = await startRedisServer();
    try {
      const { prefix, queue } = setup(own.url);
      const g = gate();
      const runs: string[] = [];
      const h = await startWorkerHost({
        redisUrl: own.url, prefix, logger: quiet, concurrency: 1,
        processors: {
          drift: async (ctx) => {
            if (ctx.id === 'dr-0') await g.wait;
            runs.push(ctx.id);
          },
        },
      });
      const ids = Array.from({ length: 6 }, (_, i) => `dr-${i}`);
      for (const id of ids) await queue.enqueue('drift', id, { v: 1 });
      await waitFor(async () => (await queue.get('drift', 'dr-0'))?.state === 'active', { what: 'dr-0 to start' });

      await own.restart();
      g.open();
      await waitFor(
        async () => (await Promise.all(ids.map((id) => queue.get('drift', id)))).every((j) => j?.state === 'completed'),
        { what: 'all drift jobs to complete after the restart', timeoutMs: 30_000 },
      );
      assert.deepEqual([...runs].sort(), ids, 'each job ran exactly once');
      // The producer reconnected by itself too.
      assert.equal((await queue.enqueue('drift', 'dr-after', { v: 1 })).created, true);
      await waitFor(async () => runs.includes('dr-after'), { what: 'a job added after the restart to run' });
      await h.close();
    } finally {
      await own.stop();
    }
  });
});
