import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NEW, OLD, rolloutE2e } from '../helpers/rollout-e2e.ts';
import { markRuns } from '../helpers/rollout-markers.ts';
import { redisPauseTrial } from '../helpers/redis-pause-trial.ts';

// Issue #13, chaos: Redis SIGSTOPped for twice the job lock in the middle of a 6-node rollout, then
// SIGCONTed; 5 trials, each pausing at a different point (after 1…5 nodes started). Each trial
// upgrades every node (alternating between two releases); each node must run exactly once per trial.
const TRIALS = Number(process.env['CHAOS_TRIALS'] ?? 5);
const e = rolloutE2e({ count: 6, maxUnavailable: 2, prefix: 'rpc', prepare: markRuns });

test(`Redis paused mid-rollout for twice the job lock, ${TRIALS} trials at different points: each node once, max_unavailable held, ends recorded`, async (t) => {
  const jobLockMs = Number(e.env['CHAINOPS_JOB_LOCK_MS']);
  for (let trial = 0; trial < TRIALS; trial++) {
    const version = trial % 2 === 0 ? NEW : OLD;
    // Points 1–4 nodes in (the 5th trial repeats the 1st): paused inside the last batch, the first run
    // can finish before BullMQ's stalled check runs, so the job is not delivered twice and the trial
    // would not test what it is for (seen once after the merge).
    const { line } = await redisPauseTrial(e, { version, startedNodes: 1 + (trial % 4), pauseMs: 2 * jobLockMs, maxUnavailable: 2 });
    t.diagnostic(`trial ${trial}: ${line}`);
    assert.deepEqual(await e.versions(), Array(6).fill(version));
  }
});
