// What a new user hit with `jobs` and `job <id>` in the demo (issue #18): every id `jobs` lists opens
// with `job`, the default view shows changes and not sweeps, and a rollout's own outcome is shown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allText, pipelineHarness } from '../helpers/pipeline-harness.ts';

async function seeded() {
  const h = pipelineHarness();
  h.queue.run('upgrade', async (job) => (job.id === 'rb-abc123' ? { rolloutId: 'up-old123', status: 'aborted' } : { rolloutId: job.id, status: 'done' }));
  h.queue.run('health', async () => ({ checked: 3 }));
  h.queue.run('remediate', async () => ({ ok: true }));
  await h.queue.enqueue('upgrade', 'up-abc123', { v: 1 });
  await h.queue.enqueue('upgrade', 'rb-abc123', { v: 1 });
  await h.queue.enqueue('health', 'repeat:health-sweep:1767690000000', { v: 1, kind: 'sweep' });
  await h.queue.enqueue('health', 'rc-0123456789abcdef', { v: 1, kind: 'sweep', nodes: ['eth-1'] });
  await h.queue.enqueue('remediate', 'rm-auto-x1y2z3', { v: 1 });
  await h.queue.idle();
  return h;
}

describe('jobs and job <id>', () => {
  it('the default view lists changes only; --all adds sweeps and rechecks', async () => {
    const h = await seeded();
    const changes = allText(await h.send('alice', 'jobs'));
    for (const id of ['up-abc123', 'rb-abc123', 'rm-auto-x1y2z3']) assert.match(changes, new RegExp(id));
    assert.doesNotMatch(changes, /repeat:health-sweep|rc-0123456789abcdef/);
    assert.match(changes, /jobs --all/);
    const all = allText(await h.send('alice', 'jobs --all'));
    for (const id of ['up-abc123', 'repeat:health-sweep:1767690000000', 'rc-0123456789abcdef']) assert.match(all, new RegExp(id));
  });

  it('an aborted rollback is listed as aborted, not completed', async () => {
    const h = await seeded();
    const reply = await h.send('alice', 'jobs');
    const table = reply.blocks.find((b) => b.type === 'table');
    assert.ok(table && table.type === 'table');
    const row = (id: string) => table.rows.find((r) => r[0] === id)!;
    assert.equal(row('rb-abc123')[2], 'aborted');
    assert.equal(row('up-abc123')[2], 'done');
  });

  it('every id `jobs --all` shows opens with `job`', async () => {
    const h = await seeded();
    const table = (await h.send('alice', 'jobs --all')).blocks.find((b) => b.type === 'table');
    assert.ok(table && table.type === 'table');
    assert.ok(table.rows.length >= 5);
    for (const [id] of table.rows) {
      const reply = await h.send('alice', `job ${id}`);
      assert.match(reply.text, new RegExp(`Job ${id!.replace(/[:]/g, ':')}`), `job ${id}: ${reply.text}`);
    }
  });

  it('a bad id names the same forms `jobs` lists', async () => {
    const h = await seeded();
    const reply = allText(await h.send('alice', 'job zz-nothing0'));
    assert.match(reply, /job ids look like hc-…, rc-…, up-…/);
    assert.match(reply, /repeat:<schedule>:<time>/);
  });
});
