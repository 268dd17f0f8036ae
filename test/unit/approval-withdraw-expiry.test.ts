import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expireApprovals } from '../../src/approval/expire-approvals.ts';
import { allText, buttonsOf, MIN, pipelineHarness } from '../helpers/pipeline-harness.ts';

const UPGRADE = 'upgrade eth-devnet 7.10.0 --env prod';

async function request(h: ReturnType<typeof pipelineHarness>) {
  const reply = await h.send('carol', UPGRADE);
  const reject = buttonsOf(reply).find((b) => b.actionId === 'reject');
  assert.ok(reject, allText(reply));
  return { id: reject.value, reject, reply };
}

describe('the requester withdraws their own request', () => {
  it('carol (operator, the requester) withdraws with Reject: closed, audited as a withdrawal, nothing queued', async () => {
    const h = pipelineHarness();
    const { id, reject, reply } = await request(h);
    assert.match(allText(reply), /the requester may withdraw it with Reject/);
    const answer = await h.click('carol', reject);
    assert.equal(answer.severity, 'ok');
    assert.match(answer.text, new RegExp(`Withdrew your request ${id}; nothing will run`));
    const stored = await h.state.getApproval(id);
    assert.deepEqual([stored?.status, stored?.withdrawn, stored?.rejectedBy], ['rejected', true, 'console:carol']);
    const [entry] = await h.audit.latest(1);
    assert.deepEqual([entry?.action, entry?.actor, entry?.outcome, entry?.ref], ['approval.withdraw', 'console:carol', 'ok', id]);
    const edit = h.chatLog.filter((c) => c.op === 'update').at(-1)!;
    assert.match(allText(edit.message), /Withdrawn by the requester, console:carol/);
    assert.deepEqual(buttonsOf(edit.message), [], 'the message loses its buttons');
    assert.deepEqual(h.queue.jobs(), []);
    assert.match((await h.send('bob', `approve ${id}`)).text, /already rejected; nothing changed/);
    assert.deepEqual(h.queue.jobs(), []);
  });

  it('a third person without the approver role cannot reject it; an approver still can', async () => {
    const h = pipelineHarness();
    const { id, reject } = await request(h);
    const dave = await h.click('dave', reject); // a viewer
    assert.equal(dave.severity, 'error');
    assert.match(dave.text, /`reject` needs the approver role; you are a viewer/);
    assert.equal((await h.state.getApproval(id))?.status, 'pending');
    const [entry] = await h.audit.latest(1);
    assert.deepEqual([entry?.actor, entry?.outcome], ['console:dave', 'refused']);
    // carol may withdraw only her own request: bob's request is not hers to reject.
    const bobs = await h.send('bob', 'upgrade eth-devnet 7.11.0 --env prod');
    const bobsId = buttonsOf(bobs).find((b) => b.actionId === 'reject')!.value;
    assert.match((await h.send('carol', `reject ${bobsId}`)).text, /needs the approver role; you are an operator/);
    assert.equal((await h.state.getApproval(bobsId))?.status, 'pending');
    // An approver rejecting is a rejection, not a withdrawal.
    assert.match((await h.send('bob', `reject ${id} --reason "not today"`)).text, new RegExp(`Rejected ${id}`));
    const stored = await h.state.getApproval(id);
    assert.deepEqual([stored?.status, stored?.withdrawn], ['rejected', undefined]);
  });
});

describe('expiry sweeper', () => {
  it('closes an approval past its expiry once, edits its message (buttons removed, expired at …), leaves fresh ones alone', async () => {
    const h = pipelineHarness();
    const { id } = await request(h);
    h.tick(10 * MIN);
    const fresh = (await request(h)).id;
    const deps = { state: h.state, outbox: h.outbox, audit: h.audit, clock: h.deps.clock };
    assert.deepEqual(await expireApprovals(deps), [], 'nothing has expired yet');
    h.tick(20 * MIN + 1);
    // Three bot replicas sweep at the same moment: exactly one closes it, one edit.
    const results = await Promise.all([expireApprovals(deps), expireApprovals(deps), expireApprovals(deps)]);
    assert.deepEqual(results.flat(), [id]);
    assert.equal((await h.state.getApproval(id))?.status, 'expired');
    assert.equal((await h.state.getApproval(fresh))?.status, 'pending');
    const ref = await h.state.getMessageRef(`approval:${id}`);
    const edits = h.chatLog.filter((c) => c.op === 'update' && c.ref.messageId === ref?.messageId);
    assert.equal(edits.length, 1);
    const text = allText(edits[0]!.message);
    assert.match(text, /Expired at 2025-01-06 09:30 UTC/);
    assert.match(text, /wave 1: eth-1/, 'the plan approvers saw is still shown');
    assert.deepEqual(buttonsOf(edits[0]!.message), []);
    const [entry] = await h.audit.latest(1);
    assert.deepEqual([entry?.action, entry?.actor, entry?.ref], ['approval.expire', 'system:bot', id]);
    // A click afterwards says so and starts nothing.
    assert.match((await h.send('bob', `approve ${id}`)).text, /already expired/);
    assert.deepEqual(h.queue.jobs(), []);
    assert.deepEqual(await expireApprovals(deps), [], 'a later sweep finds nothing more');
  });
});
