import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pipelineHarness, allText } from '../helpers/pipeline-harness.ts';
import { MemoryPromotionStore } from '../../adapters/memory/memory-promotion.store.ts';
import { promotionProcessor } from '../../jobs/promotion/promotion.processor.ts';
import { promotionSchema } from '../../src/promotion/promotion.schema.ts';
import { changeJobId, stageSeed } from '../../src/promotion/promotion-ids.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import type { PromotionRecord } from '../../src/promotion/promotion.record.ts';

// The promotion's worker side against the real command pipeline with in-memory ports: stages go
// through requestChange (lock, freeze, approval policy), retried ticks start nothing twice.
function setup() {
  const h = pipelineHarness((f) => {
    f.nodes.push({ ...f.nodes.find((n) => n.name === 'eth-1')!, name: 'eth-d1', env: 'dev', rpc_url: 'http://127.0.0.1:1/d1' });
    f.groups['eth-devnet']!.promotion = promotionSchema.parse({ stages: [{ env: 'dev' }, { env: 'prod' }], poll: '1m' });
  });
  const store = new MemoryPromotionStore();
  h.deps.promotions = store;
  let failSaves = 0;
  const saveFenced = store.saveFenced.bind(store);
  store.saveFenced = async (rec, token) => {
    if (failSaves > 0) {
      failSaves--;
      throw new Error('worker died before its checkpoint');
    }
    return saveFenced(rec, token);
  };
  const processor = promotionProcessor({ core: h.deps, workerId: 'w1', leaseMs: 30_000 });
  const tick = async (id: string): Promise<PromotionRecord> => {
    const rec = (await store.get(id))!;
    await processor({ id: `pt-${rec.tick}`, queue: 'promotion', data: { v: 1, promotionId: id, tick: rec.tick }, attempt: 1, progress: async () => {}, log: async () => {} });
    return (await store.get(id))!;
  };
  const finish = async (id: string, status: RolloutRecord['status'] = 'done') => {
    const job = await h.queue.get('upgrade', id);
    const d = job!.data as { env: string; group: string; version: string; planHash: string };
    await h.rollouts.save({ id, kind: 'upgrade', env: d.env, group: d.group, version: d.version, planHash: d.planHash, requestedBy: 'x', approvedBy: [], dryRun: false, status, nodes: [], waves: [], reportKey: `job:${id}`, conversation: { platform: 'console', channelId: 'ops' }, resumes: 0, createdAt: h.now(), updatedAt: h.now() });
  };
  return { h, store, tick, finish, crashNextSave: () => void (failSaves = 1) };
}

describe('promotion through the command pipeline', () => {
  it('dev starts as an ordinary upgrade once even when the tick is retried; prod posts an approval card that only another person can approve', async () => {
    const { h, tick, finish, crashNextSave } = setup();
    const reply = await h.send('alice', 'promotion start eth-devnet 7.9.3');
    const id = /pr-[a-z0-9]+/.exec(reply.text)![0];
    assert.match(allText(reply), /dev: pending/);
    assert.match(allText(await h.send('carol', 'promotion start eth-devnet 7.9.4')), new RegExp(`already has promotion ${id}`));

    crashNextSave();
    await assert.rejects(tick(id), /worker died/);
    let rec = await tick(id); // the same tick again, as a re-delivered job would run it
    const devJob = changeJobId('up', stageSeed(id, 0));
    assert.equal(rec.stages[0]!.state, 'rolling');
    assert.equal(rec.stages[0]!.rolloutId, devJob);
    const upgrades = (await h.queue.list(50, ['upgrade'])).map((j) => j.id);
    assert.deepEqual(upgrades, [devJob], 'one dev upgrade job, not two');
    assert.equal(((await h.queue.get('upgrade', devJob))!.data as { env: string }).env, 'dev');

    await finish(devJob);
    rec = await tick(id);
    assert.equal(rec.stages[0]!.state, 'done', 'soak 0: done at once');
    rec = await tick(id);
    assert.equal(rec.stages[1]!.state, 'awaiting-approval');
    const ap = rec.stages[1]!.approvalId!;
    const card = (await h.state.getApproval(ap))!;
    assert.equal(card.requestedBy, 'console:alice');
    assert.equal(card.command, '/chainops upgrade eth-devnet 7.9.3 --env prod');
    assert.ok(h.chatLog.some((e) => allText(e.message).includes(ap)), 'the approval card was posted');
    rec = await tick(id);
    assert.equal((await h.state.listApprovals()).length, 1, 'a second tick posts no second card');

    assert.match(allText(await h.send('alice', `approve ${ap}`)), /someone else must approve/, 'the starter (an admin) may not approve their own prod stage');
    assert.match(allText(await h.send('bob', `approve ${ap}`)), /Approved/);
    rec = await tick(id);
    assert.equal(rec.stages[1]!.state, 'rolling');
    assert.equal(rec.stages[1]!.rolloutId, changeJobId('up', ap));
    assert.ok(await h.queue.get('upgrade', changeJobId('up', ap)), 'the job the approval started');
    await finish(changeJobId('up', ap));
    rec = await tick(id);
    assert.equal(rec.status, 'done');
    assert.equal(await h.deps.promotions!.activeId('eth-devnet'), undefined, 'the group is free again');
    assert.ok((await h.audit.latest(100)).some((e) => e.action === 'promotion.done' && e.ref === id));
  });

  it('a frozen environment holds the stage; abort from chat withdraws a pending approval', async () => {
    const { h, tick, finish } = setup();
    await h.send('alice', 'freeze dev --reason release-week');
    const id = /pr-[a-z0-9]+/.exec((await h.send('carol', 'promotion start eth-devnet 7.9.3')).text)![0];
    let rec = await tick(id);
    assert.equal(rec.stages[0]!.state, 'blocked');
    assert.match(rec.stages[0]!.detail ?? '', /dev is frozen/);
    assert.deepEqual(await h.queue.list(50, ['upgrade']), []);
    await h.send('alice', 'unfreeze dev');
    rec = await tick(id);
    assert.equal(rec.stages[0]!.state, 'rolling');
    await finish(rec.stages[0]!.rolloutId!);
    await tick(id);
    rec = await tick(id);
    const ap = rec.stages[1]!.approvalId!;
    assert.match(allText(await h.send('carol', 'promotion abort eth-devnet')), /aborts/);
    rec = await tick(id);
    assert.equal(rec.status, 'aborted');
    assert.equal((await h.state.getApproval(ap))!.status, 'rejected');
    assert.match(allText(await h.send('bob', `approve ${ap}`)), /already rejected/);
  });
});
