// Rollback as a change like any other: planned from what the nodes run now (RPC), only nodes the
// rollout changed and no later change touched, shown, approved per the environment's policy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newRolloutRecord } from '../../jobs/upgrade/rollout-setup.ts';
import { upgradeJob } from '../../src/jobs/job-data.schema.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import { rolloutMessage } from '../../src/render/rollout.message.ts';
import { allText, buttonsOf, MIN, pipelineHarness, T0 } from '../helpers/pipeline-harness.ts';

/** A rollout of prod/eth-devnet as the worker records it. */
function record(id: string, over: Partial<RolloutRecord> & { at: number }): RolloutRecord {
  return {
    id, kind: 'upgrade', env: 'prod', group: 'eth-devnet', version: '7.9.9', planHash: 'f'.repeat(64), requestedBy: 'console:carol', approvedBy: ['console:bob'],
    dryRun: false, status: 'done', waves: [['eth-1'], ['eth-2', 'eth-3']], reportKey: `job:${id}`, conversation: { platform: 'console', channelId: 'ops' },
    resumes: 0, createdAt: over.at, updatedAt: over.at, nodes: [], ...over,
  };
}

const node = (name: string, from: string, to: string, state: 'done' | 'failed' | 'pending', runs = 1, detail?: string) =>
  ({ name, wave: name === 'eth-1' ? 0 : 1, state, from, to, runs, ...(detail ? { detail } : {}) });

describe('rollout rollback', () => {
  it('typed without an id: refused with a clear message listing recent rollout ids; nothing queued', async () => {
    const h = pipelineHarness();
    await h.rollouts.save(record('up-old00001', { at: T0 - 60 * MIN, nodes: [node('eth-1', '7.9.1', '7.9.9', 'done')] }));
    await h.rollouts.save(record('up-new00002', { at: T0 - 10 * MIN, version: '7.9.2', nodes: [node('eth-1', '7.9.1', '7.9.2', 'done')] }));
    const reply = await h.send('carol', 'rollout rollback');
    assert.equal(reply.severity, 'error');
    assert.match(reply.text, /say which rollout to roll back: `\/chainops rollout rollback <id>` — recent: up-new00002 \(prod\/eth-devnet → 7\.9\.2, done\), up-old00001/);
    assert.deepEqual(h.queue.jobs(), []);
    assert.deepEqual(await h.state.listApprovals('pending'), []);
  });

  it('an old rollout after a newer one changed the same node: refused for that node, never restores the stale version', async () => {
    const h = pipelineHarness();
    // The demo: up-old moved eth-1..3 to 7.9.9 (eth-1 halted at its gate but eth-2 done) …
    await h.rollouts.save(record('up-old00001', { at: T0 - 60 * MIN, status: 'halted', nodes: [
      node('eth-1', '7.9.1', '7.9.9', 'done'), node('eth-2', '7.9.1', '7.9.9', 'done'), node('eth-3', '7.9.1', '7.9.9', 'pending', 0),
    ] }));
    // … then an approved rollout moved eth-1 to 7.9.2.
    await h.rollouts.save(record('up-new00002', { at: T0 - 10 * MIN, version: '7.9.2', nodes: [node('eth-1', '7.9.9', '7.9.2', 'done')] }));
    Object.assign(h.running, { 'eth-1': '7.9.2', 'eth-2': '7.9.9', 'eth-3': '7.9.1' });

    const reply = await h.send('carol', 'rollout rollback up-old00001');
    const text = allText(reply);
    assert.match(text, /Approval ap-\d+: rollout rollback up-old00001/, 'prod: it waits for approval');
    assert.match(text, /eth-2: 7\.9\.9 → 7\.9\.1/, 'the plan is shown: eth-2 goes back from what it runs now');
    assert.match(text, /not rolled back: eth-1: changed later by up-new00002/);
    assert.doesNotMatch(text, /eth-1: 7\.9\.2 → 7\.9\.1/, 'never restores eth-1 from the stale record');
    assert.deepEqual(h.checked.at(-1), ['eth-2', 'eth-1'], 'the live versions were read over RPC');
    assert.deepEqual(h.queue.jobs(), [], 'nothing runs before approval');

    const id = buttonsOf(reply).find((b) => b.actionId === 'approve')!.value;
    h.tick(MIN);
    const ok = await h.send('bob', `approve ${id}`);
    assert.match(ok.text, new RegExp(`Approved ${id}; started (rb-[0-9a-f]{10})`));
    const [job] = h.queue.jobs('upgrade');
    const data = upgradeJob.parse(job!.data);
    assert.equal(data.mode, 'rollback');
    assert.equal(data.rolloutId, job!.id);
    assert.equal(data.rollbackOf, 'up-old00001');
    assert.deepEqual(data.targets, ['eth-2']);
    assert.deepEqual(data.restore, [{ name: 'eth-2', from: '7.9.9', to: '7.9.1' }], 'the job carries exactly the versions shown');
    assert.deepEqual(data.approvedBy, ['console:bob']);
    assert.equal(data.planHash, (await h.state.getApproval(id))?.planHash);
  });

  it('a node that moved between request and approval voids the rollback approval', async () => {
    const h = pipelineHarness();
    await h.rollouts.save(record('up-abc00001', { at: T0 - 60 * MIN, nodes: [node('eth-1', '7.9.1', '7.9.9', 'done'), node('eth-2', '7.9.1', '7.9.9', 'done')] }));
    Object.assign(h.running, { 'eth-1': '7.9.9', 'eth-2': '7.9.9' });
    const reply = await h.send('carol', 'rollout rollback up-abc00001');
    assert.match(allText(reply), /eth-2: 7\.9\.9 → 7\.9\.1\\neth-1: 7\.9\.9 → 7\.9\.1/);
    const id = buttonsOf(reply).find((b) => b.actionId === 'approve')!.value;
    h.running['eth-1'] = '7.9.5'; // someone changed eth-1 by hand meanwhile
    assert.match((await h.send('bob', `approve ${id}`)).text, /the plan changed since it was requested/);
    assert.deepEqual(h.queue.jobs(), []);
  });

  it('with `approval.rollback: waive` it starts at once, and the same plan clicked twice is one job', async () => {
    const h = pipelineHarness((f) => void (f.environments['prod']!.approval.rollback = 'waive'));
    await h.rollouts.save(record('up-abc00001', { at: T0 - 60 * MIN, nodes: [node('eth-1', '7.9.1', '7.9.9', 'done')] }));
    h.running['eth-1'] = '7.9.9';
    const first = await h.click('carol', { actionId: 'rollout-rollback', label: 'Rollback', value: 'up-abc00001' });
    assert.match(allText(first), /rollback prod\/eth-devnet/);
    assert.match(allText(first), /eth-1: 7\.9\.9 → 7\.9\.1/, 'the job message shows the plan');
    assert.match((await h.click('carol', { actionId: 'rollout-rollback', label: 'Rollback', value: 'up-abc00001' })).text, /already queued or running as rb-/);
    const jobs = h.queue.jobs('upgrade');
    assert.equal(jobs.length, 1);
    assert.deepEqual(upgradeJob.parse(jobs[0]!.data).restore, [{ name: 'eth-1', from: '7.9.9', to: '7.9.1' }]);
  });

  it('a halted rollout that changed nothing offers no Rollback, and asking anyway plans nothing', async () => {
    const h = pipelineHarness();
    const rec = record('up-bad00001', { at: T0 - 5 * MIN, status: 'halted', version: '7.9.3-broken', nodes: [
      node('eth-1', '7.9.1', '7.9.3-broken', 'failed', 1, 'gate: reports version 7.9.1, want 7.9.3-broken'), node('eth-2', '7.9.1', '7.9.3-broken', 'pending', 0),
    ] });
    await h.rollouts.save(rec);
    assert.deepEqual(buttonsOf(rolloutMessage(rec)).map((b) => b.actionId), ['rollout-retry', 'rollout-abort']);
    const done = { ...rec, status: 'done' as const, nodes: [node('eth-1', '7.9.1', '7.9.3-broken', 'done')] };
    assert.deepEqual(buttonsOf(rolloutMessage(done)).map((b) => b.actionId), ['rollout-rollback']);
    h.running['eth-1'] = '7.9.1';
    const reply = await h.send('carol', 'rollout rollback up-bad00001');
    assert.match(reply.text, /Nothing to roll back for up-bad00001: eth-1: already runs 7\.9\.1, its version before up-bad00001/);
    assert.deepEqual(h.queue.jobs(), []);
    assert.deepEqual(await h.state.listApprovals('pending'), []);
  });
});

describe('the rollback job restores exactly what was approved', () => {
  it('each node goes to its planned version; a node that moved since the plan is skipped, not restored blind', async () => {
    const h = pipelineHarness();
    const live: Record<string, string> = { 'eth-1': '7.9.9', 'eth-2': '7.9.5' };
    const deps = {
      clock: h.deps.clock, state: h.state, rollouts: h.rollouts, workerId: 'w-1',
      checkerFor: () => ({ check: async (n: { name: string }) => ({ node: n.name, reachable: true, version: live[n.name] }) }),
    } as unknown as Parameters<typeof newRolloutRecord>[0];
    const rec = await newRolloutRecord(deps, h.fleet, upgradeJob.parse({
      v: 1, rolloutId: 'rb-0123456789', mode: 'rollback', rollbackOf: 'up-abc00001', env: 'prod', group: 'eth-devnet', version: '7.9.1',
      targets: ['eth-1', 'eth-2'], waves: [['eth-1'], ['eth-2']], planHash: 'a'.repeat(64), requestedBy: 'console:carol', approvedBy: ['console:bob'],
      restore: [{ name: 'eth-1', from: '7.9.9', to: '7.9.1' }, { name: 'eth-2', from: '7.9.9', to: '7.9.0' }],
      report: { key: 'job:rb-0123456789', conversation: { platform: 'console', channelId: 'ops' } },
    }), 'rb-0123456789');
    assert.equal(rec.kind, 'rollback');
    assert.deepEqual(rec.nodes.map((n) => [n.name, n.state, n.from, n.to]), [['eth-1', 'pending', '7.9.9', '7.9.1'], ['eth-2', 'skipped', '7.9.9', '7.9.0']]);
    assert.match(rec.nodes[1]!.detail ?? '', /runs 7\.9\.5 now, not 7\.9\.9 as planned — not touched/);
  });
});
