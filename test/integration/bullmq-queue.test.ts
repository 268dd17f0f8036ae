import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { queuePrefix } from '../../src/ports/key-layout.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { BullJobQueue } from '../../adapters/queue/bullmq.queue.ts';
import { startWorkerHost, type WorkerHost } from '../../jobs/worker-host.ts';
import { ChainopsError } from '../../src/errors.ts';

const quiet = { info() {}, warn() {}, error() {} };
let server: RedisServerHandle;
const prefix = `test-${randomUUID()}`;
const open: { close(): Promise<void> }[] = [];

function queue(): BullJobQueue {
  const q = new BullJobQueue({ redisUrl: server.url, prefix, logger: quiet });
  open.push(q);
  return q;
}
async function host(...args: Parameters<typeof startWorkerHost>): Promise<WorkerHost> {
  const h = await startWorkerHost(...args);
  open.push(h);
  return h;
}

before(async () => {
  server = await startRedisServer();
});
after(async () => {
  for (const c of open.reverse()) await c.close();
  await server.stop();
});

describe('BullJobQueue', () => {
  it('creates one job for 20 concurrent adds of one id (4 replicas) and runs it once', async () => {
    const replicas = [queue(), queue(), queue(), queue()];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => replicas[i % 4]!.enqueue('health', 'hc-once', { v: 1, n: i })),
    );
    assert.equal(results.filter((r) => r.created).length, 1, JSON.stringify(results));
    assert.ok(results.every((r) => r.id === 'hc-once'));

    const runs: unknown[] = [];
    await host({ redisUrl: server.url, prefix, logger: quiet, processors: { health: async (ctx) => void runs.push(ctx.data) } });
    const q = replicas[0]!;
    await waitFor(async () => (await q.get('health', 'hc-once'))?.state === 'completed', { what: 'hc-once to complete' });
    assert.equal((await q.enqueue('health', 'hc-once', { v: 1 })).created, false, 'a finished id still de-duplicates');
    assert.equal((await q.get('health', 'hc-once'))?.state, 'completed');
    assert.equal(runs.length, 1);
    const winner = results.findIndex((r) => r.created);
    assert.deepEqual(runs[0], { v: 1, n: winner }, 'the job that ran is the one reported as created');
  });

  it('gets, lists newest first across queues, and cancels only jobs that have not started', async () => {
    const q = queue();
    await q.enqueue('drift', 'dr-1', { v: 1 });
    await q.enqueue('provision', 'pv-1', { v: 1, group: 'g' });
    await waitFor(async () => Date.now() > (await q.get('provision', 'pv-1'))!.createdAt, { what: 'the clock to tick' });
    await q.enqueue('drift', 'dr-2', { v: 1 });
    const got = await q.get('provision', 'pv-1');
    assert.equal(got?.state, 'waiting');
    assert.deepEqual(got?.data, { v: 1, group: 'g' });
    assert.equal(got?.queue, 'provision');
    assert.equal(await q.get('drift', 'nope-1'), undefined);
    const listed = (await q.list(50)).filter((j) => j.queue !== 'health');
    assert.deepEqual(listed.map((j) => j.id).slice(0, 1), ['dr-2']);
    assert.deepEqual(new Set(listed.map((j) => j.id)), new Set(['dr-1', 'dr-2', 'pv-1']));
    assert.equal((await q.list(1)).length, 1);

    assert.equal(await q.cancel('drift', 'dr-1'), true);
    assert.equal(await q.get('drift', 'dr-1'), undefined);
    assert.equal(await q.cancel('drift', 'dr-1'), false);
    assert.equal(await q.cancel('health', 'hc-once'), false, 'a finished job is not cancelled');
  });

  it('does not cancel an active job', async () => {
    const q = queue();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await host({ redisUrl: server.url, prefix, logger: quiet, processors: { upgrade: () => gate } });
    await q.enqueue('upgrade', 'upg-active', { v: 1 });
    await waitFor(async () => (await q.get('upgrade', 'upg-active'))?.state === 'active', { what: 'job to start' });
    assert.equal(await q.cancel('upgrade', 'upg-active'), false);
    release();
    await waitFor(async () => (await q.get('upgrade', 'upg-active'))?.state === 'completed', { what: 'job to finish' });
  });

  it('upserts one job scheduler even when replicas race', async () => {
    const [a, b] = [queue(), queue()];
    await Promise.all([
      a.upsertSchedule('drift', 'drift-dev', 60_000, { v: 1, env: 'dev' }),
      b.upsertSchedule('drift', 'drift-dev', 60_000, { v: 1, env: 'dev' }),
      a.upsertSchedule('drift', 'drift-dev', 60_000, { v: 1, env: 'dev' }),
    ]);
    const raw = new Queue('drift', { connection: { url: server.url }, prefix: queuePrefix(prefix, 'drift') });
    try {
      const schedulers = await raw.getJobSchedulers();
      assert.deepEqual(schedulers.map((s) => [s.key, s.every]), [['drift-dev', 60_000]]);
      const scheduled = (await a.list(100)).filter((j) => j.queue === 'drift' && j.id.includes('drift-dev'));
      assert.equal(scheduled.length, 1, 'one upcoming run, not one per replica');
    } finally {
      await raw.close();
    }
    assert.equal(await a.removeSchedule('drift', 'drift-dev'), true);
  });

  it('fails fast with "unavailable" when Redis is down', async () => {
    const lone = await startRedisServer({ appendonly: false });
    const warnings: string[] = [];
    const q = new BullJobQueue({ redisUrl: lone.url, prefix, logger: { ...quiet, warn: (_o, msg) => void warnings.push(String(msg)) } });
    try {
      await q.enqueue('health', 'hc-up', { v: 1 });
      await lone.stop();
      const t0 = Date.now();
      await assert.rejects(q.enqueue('health', 'hc-down', { v: 1 }), (e) => e instanceof ChainopsError && e.code === 'unavailable');
      assert.ok(Date.now() - t0 < 2_500, `took ${Date.now() - t0} ms`);
      // The lost connection became a log line (an unhandled 'error' event would have crashed this file).
      await waitFor(async () => warnings.some((w) => /redis \(producer\) at redis:\/\/127\.0\.0\.1:\d+\/?: .*check that Redis is running/.test(w)), { what: 'a connection warning' });
    } finally {
      await q.close();
      await lone.stop();
    }
  });

  it('rejects job ids BullMQ cannot store', async () => {
    const q = queue();
    for (const id of ['', '42', 'a:b']) {
      await assert.rejects(q.enqueue('health', id, {}), (e) => e instanceof ChainopsError);
    }
  });
});
