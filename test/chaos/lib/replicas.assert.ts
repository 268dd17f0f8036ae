import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { assertNoSecrets, logRecords, slackStandInRecords } from '../../helpers/secret-scan.ts';
import type { CommandOutcome, ReplicasResult } from './replicas.scenario.ts';

const show = (o: CommandOutcome) => `command ${o.i} (${o.kind}, ${o.channel}): ${JSON.stringify({ ...o, i: undefined, kind: undefined, channel: undefined })}`;

/** Exactly one job and one post per command, whatever the retries and double clicks. */
export function assertExactlyOnce(r: ReplicasResult, t: TestContext): void {
  const kinds = new Map<string, number>();
  for (const o of r.outcomes) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  t.diagnostic(`${r.outcomes.length} commands (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}) in ${r.deliveries} deliveries, ${r.retriesAtTheSameMoment} of them racing another at the same moment; duplicates dropped by replica 0/1: ${r.duplicatesDropped.join('/')}`);
  assert.deepEqual(r.badStatuses, [], 'every delivery, retry and click was acked with 200');
  assert.ok(r.duplicatesDropped[0] > 0 && r.duplicatesDropped[1] > 0, 'both replicas received (and dropped) duplicates');
  for (const o of r.outcomes) {
    const where = show(o);
    if (o.kind === 'read') {
      assert.equal(o.posts + o.answers, 1, `${where}: one answer`);
      assert.equal(o.jobs, 0, where);
      continue;
    }
    assert.equal(o.jobs, 1, `${where}: exactly one job`);
    assert.equal(o.runs, 1, `${where}: run exactly once over both workers`);
    assert.ok(o.doneCalls >= 1, `${where}: its result reached chat`);
    if (o.kind === 'approval') {
      assert.equal(o.approvals, 1, `${where}: one approval request`);
      assert.equal(o.approvalPosts, 1, `${where}: the approval request posted once`);
      assert.equal(o.approvalEdits, 1, `${where}: the approval message edited once (approved)`);
      assert.equal(o.answers, 1, `${where}: the double click answered once`);
    } else {
      assert.equal(o.posts, 1, `${where}: the command answered with one message (its job message)`);
      assert.equal(o.approvals, 0, where);
    }
  }
}

/**
 * Each job has one message, showing its result exactly once: never a second message,
 * never left saying "queued" after the job is done — even when the "queued" upsert and the result's
 * upsert of one key are taken by the two replicas at once (upserts are applied in outbox order).
 */
export function assertJobMessagesEditedInPlace(r: ReplicasResult, t: TestContext): void {
  const jobMessages = (o: CommandOutcome) => (o.kind === 'approval' ? o.posts - o.approvalPosts : o.posts) + o.donePosted;
  // The result may be the message's first post (its "queued" then arrives late and is dropped as stale).
  const raced = r.outcomes.filter((o) => o.kind !== 'read' && (o.staleQueued > 0 || o.doneCalls !== 1 || jobMessages(o) !== 1));
  const kinds = [...new Set(raced.map((o) => o.kind))].join(', ');
  t.diagnostic(`${raced.length} of ${r.outcomes.filter((o) => o.kind !== 'read').length} job messages raced${kinds ? ` (${kinds})` : ''}: ${raced.filter((o) => o.staleQueued > 0).length} left saying "queued", ${raced.filter((o) => o.donePosted > 0 && jobMessages(o) > 1).length} with the result posted as a second message, ${raced.filter((o) => jobMessages(o) > 1 && o.donePosted === 0).length} with the job message posted twice, ${raced.filter((o) => o.doneCalls > 1).length} with the result delivered twice`);
  assert.equal(raced.length, 0, `job messages not edited in place, e.g.\n${raced.slice(0, 3).map(show).join('\n')}`);
}

/** No token, signing secret or RPC password in anything posted to Slack or logged by either replica. */
export function assertNoSecretsLeaked(r: ReplicasResult): void {
  assertNoSecrets(r.secrets, [...slackStandInRecords(r.standIn), ...logRecords(r.logs)], 'Slack stand-in bodies and bot logs');
}
