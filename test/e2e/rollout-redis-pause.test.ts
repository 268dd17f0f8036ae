import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NEW, OLD, rolloutE2e } from '../helpers/rollout-e2e.ts';
import { markRuns } from '../helpers/rollout-markers.ts';
import { redisPauseTrial } from '../helpers/redis-pause-trial.ts';

// Issue #13: one trial of the Redis-pause chaos test (the five are in test/chaos/redis-pause.test.ts).
// Redis is SIGSTOPped for twice the job lock in the middle of a 6-node rollout: BullMQ re-delivers
// the job while the first run keeps going. Fenced leases keep the second execution off the nodes.
const e = rolloutE2e({ count: 6, maxUnavailable: 2, prefix: 'rp', prepare: markRuns });

test('Redis paused for twice the job lock mid-rollout: each node runs exactly once, max_unavailable holds, the rollout ends done', async (t) => {
  const jobLockMs = Number(e.env['CHAINOPS_JOB_LOCK_MS']);
  const { line } = await redisPauseTrial(e, { version: NEW, startedNodes: 2, pauseMs: 2 * jobLockMs, maxUnavailable: 2 });
  t.diagnostic(line);
  assert.deepEqual(await e.versions(), Array(6).fill(NEW));
  assert.notDeepEqual(OLD, NEW);
});
