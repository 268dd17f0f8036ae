// Chaos item 2 (issue #8), the long run: 1 000 queued jobs, Redis (AOF) restarted three times — once
// with nearly all jobs waiting, twice while the queue drains at full speed (jobs active, completions
// in flight). None lost; workers resume by themselves. A completion lost in a restart can orphan a
// job in `active` until BullMQ's stalled check recovers it (about a minute): the drain time is printed.
import { test } from 'node:test';
import { redisRestartScenario } from './lib/redis-restart.scenario.ts';
import { assertRedisRestartResult } from './lib/redis-restart.assert.ts';

test('Redis restarted (AOF) three times, mid-drain included, with 1 000 jobs: none lost, workers resume', async (t) => {
  assertRedisRestartResult(await redisRestartScenario({ jobs: 1_000, restarts: 3, drainTimeoutMs: 180_000 }), t);
});

test('Redis restarted (AOF) while 5 000 jobs are queued, 4 workers: none lost', async (t) => {
  assertRedisRestartResult(await redisRestartScenario({ jobs: 5_000, restarts: 2, workers: 4, drainTimeoutMs: 180_000 }), t);
});
