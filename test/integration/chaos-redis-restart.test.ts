// Chaos item 2 (issue #8), fast enough for `npm test`: Redis with AOF restarted while 1 000 jobs are
// queued (nearly all waiting, the first ones held active in the processors). The real BullMQ queue
// adapter and worker host: none lost, workers resume by themselves, producers fail fast while Redis
// is away and keep every job they acknowledged. Restarts mid-drain run in test/chaos (slower).
import { test } from 'node:test';
import { redisRestartScenario } from '../chaos/lib/redis-restart.scenario.ts';
import { assertRedisRestartResult } from '../chaos/lib/redis-restart.assert.ts';

test('Redis restarted (AOF) while 1 000 jobs are queued: none lost, workers resume by themselves', async (t) => {
  assertRedisRestartResult(await redisRestartScenario({ jobs: 1_000, restarts: 1 }), t);
});
