// Chaos item 3 (issue #8): two bot replicas and two workers on one Redis, 1 000 commands, each
// delivered 2–4 times (Slack retries to the other replica, half of them at the same moment) and
// every approval double-clicked across both replicas: exactly one job, one run and one post per command.
import { test } from 'node:test';
import { replicasScenario, type ReplicasResult } from './lib/replicas.scenario.ts';
import { assertExactlyOnce, assertJobMessagesEditedInPlace, assertNoSecretsLeaked } from './lib/replicas.assert.ts';

let result: ReplicasResult;

test('two bot replicas, two workers, 1 000 commands with retries and double clicks: one job and one post each', async (t) => {
  result = await replicasScenario({ commands: 1_000, concurrency: 24 });
  assertExactlyOnce(result, t);
});

test('no secret (bot token, signing secret, RPC password) in what was posted or logged', () => {
  assertNoSecretsLeaked(result);
});

test('each job has one message, which ends showing its result (delivered exactly once)', (t) => {
  assertJobMessagesEditedInPlace(result, t);
});
