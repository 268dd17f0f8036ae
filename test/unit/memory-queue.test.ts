import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryJobQueue } from '../../adapters/memory/memory.queue.ts';
import { ChainopsError } from '../../src/errors.ts';
import type { Processor } from '../../jobs/job-context.ts';

describe('MemoryJobQueue', () => {
  it('creates a job id once, however often and concurrently it is enqueued', async () => {
    const q = new MemoryJobQueue();
    const results = await Promise.all(Array.from({ length: 20 }, () => q.enqueue('health', 'hc-1', { v: 1 })));
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.ok(results.every((r) => r.id === 'hc-1'));
    assert.equal(q.jobs().length, 1);
    assert.equal((await q.get('health', 'hc-1'))?.state, 'waiting');
    // Same id on another queue is another job.
    assert.equal((await q.enqueue('drift', 'hc-1', { v: 1 })).created, true);
  });

  it('lists newest first, cancels only waiting jobs', async () => {
    let now = 0;
    const q = new MemoryJobQueue({ clock: { now: () => ++now } });
    await q.enqueue('health', 'a-1', {});
    await q.enqueue('upgrade', 'b-1', {});
    await q.enqueue('drift', 'c-1', {});
    assert.deepEqual((await q.list(2)).map((j) => j.id), ['c-1', 'b-1']);
    assert.equal(await q.cancel('upgrade', 'b-1'), true);
    assert.equal(await q.cancel('upgrade', 'b-1'), false);
    assert.equal(await q.get('upgrade', 'b-1'), undefined);
  });

  it('runs a registered processor with a job context (progress, log, result)', async () => {
    const q = new MemoryJobQueue();
    await q.enqueue('health', 'hc-1', { v: 1, nodes: ['a'] });
    const seen: unknown[] = [];
    const processor: Processor = async (ctx) => {
      seen.push([ctx.id, ctx.queue, ctx.data, ctx.attempt]);
      await ctx.progress({ done: 1 });
      await ctx.log('checked a');
      return { ok: true };
    };
    q.run('health', processor);
    await q.enqueue('health', 'hc-2', { v: 1, nodes: ['b'] });
    await q.idle();
    assert.deepEqual(seen, [['hc-1', 'health', { v: 1, nodes: ['a'] }, 1], ['hc-2', 'health', { v: 1, nodes: ['b'] }, 1]]);
    const done = await q.get('health', 'hc-1');
    assert.equal(done?.state, 'completed');
    assert.deepEqual(done?.progress, { done: 1 });
    assert.deepEqual(done?.result, { ok: true });
    assert.deepEqual(q.logs('health', 'hc-1'), ['checked a']);
    assert.equal((await q.enqueue('health', 'hc-1', {})).created, false, 'a finished id still de-duplicates');
  });

  it('retries ordinary errors up to attempts, but not job_data_invalid', async () => {
    const q = new MemoryJobQueue({ attempts: 3 });
    const attempts: Record<string, number[]> = {};
    q.run('upgrade', async (ctx) => {
      (attempts[ctx.id] ??= []).push(ctx.attempt);
      if (ctx.id === 'bad-1') throw new ChainopsError('job_data_invalid', 'job data v9 is unknown');
      if (ctx.attempt < 2) throw new Error('ssh timeout');
      return 'ok';
    });
    await q.enqueue('upgrade', 'bad-1', { v: 9 });
    await q.enqueue('upgrade', 'flaky-1', { v: 1 });
    await q.idle();
    assert.deepEqual(attempts, { 'bad-1': [1], 'flaky-1': [1, 2] });
    const bad = await q.get('upgrade', 'bad-1');
    assert.equal(bad?.state, 'failed');
    assert.equal(bad?.failedReason, 'job data v9 is unknown');
    assert.equal((await q.get('upgrade', 'flaky-1'))?.state, 'completed');
  });

  it('processes jobs that a processor enqueues', async () => {
    const q = new MemoryJobQueue();
    q.run('upgrade', async (ctx) => {
      await q.enqueue('health', `hc-after-${ctx.id}`, { v: 1 });
    });
    const ran: string[] = [];
    q.run('health', async (ctx) => void ran.push(ctx.id));
    await q.enqueue('upgrade', 'upg-1', { v: 1 });
    await q.idle();
    assert.deepEqual(ran, ['hc-after-upg-1']);
  });

  it('records schedules', async () => {
    const q = new MemoryJobQueue();
    await q.upsertSchedule('health', 'health-dev', 30_000, { v: 1 });
    await q.upsertSchedule('health', 'health-dev', 60_000, { v: 1 });
    assert.deepEqual([...q.schedules()], [['health-dev', { queue: 'health', everyMs: 60_000, data: { v: 1 } }]]);
  });
});
