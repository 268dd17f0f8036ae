// Chaos item 3 (issue #8), the quick run for `npm test`: two bot replicas and two workers on one
// Redis, 150 commands each delivered 2–4 times (Slack retries to the other replica, some at the same
// moment) and approvals double-clicked across both replicas: exactly one job, one run and one post
// per command. The 1 000-command run is in test/chaos/replicas.test.ts.
import { test } from 'node:test';
import { replicasScenario, type ReplicasResult } from '../chaos/lib/replicas.scenario.ts';
import { assertExactlyOnce, assertJobMessagesEditedInPlace, assertNoSecretsLeaked } from '../chaos/lib/replicas.assert.ts';

let result: ReplicasResult;

test('two bot replicas, two workers, 150 commands with retries and double clicks: one job and one post each', async (t) => {
  result = await replicasScenario({ commands: 150, seed: 0x150 });
  assertExactlyOnce(result, t);
});

test('no secret (bot token, signing secret, RPC password) in what was posted or logged', () => {
  assertNoSecretsLeaked(result);
});

test('each job has one message, which ends showing its result (delivered exactly once)', (t) => {
  assertJobMessagesEditedInPlace(result, t);
});
