import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RolloutStore } from '../../src/ports/rollout.port.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';

function record(id: string, status: RolloutRecord['status']): RolloutRecord {
  return {
    id, kind: 'upgrade', env: 'prod', group: 'g', version: '2.0.0', planHash: 'h', requestedBy: 'console:carol', approvedBy: [], dryRun: false,
    status, nodes: [], waves: [], reportKey: `job:${id}`, conversation: { platform: 'console', channelId: 'c' }, resumes: 0, createdAt: 1, updatedAt: 1,
  };
}

/** Fenced checkpoints: every RolloutStore must refuse a write with a smaller token than the largest seen. */
export function rolloutFenceContract(label: string, make: () => Promise<RolloutStore>): void {
  describe(`RolloutStore fenced checkpoints: ${label}`, () => {
    it('writes while no larger token has written; an older execution is refused and changes nothing', async () => {
      const s = await make();
      assert.equal(await s.saveFenced(record('up-f1', 'waiting-lock'), 0), true, 'token 0 writes while no execution holds it');
      assert.equal(await s.saveFenced(record('up-f1', 'running'), 5), true);
      assert.equal(await s.saveFenced(record('up-f1', 'waiting-lock'), 0), false, 'a waiter cannot overwrite a running record');
      assert.equal(await s.saveFenced(record('up-f1', 'failed'), 4), false, 'an older execution is refused');
      assert.equal((await s.get('up-f1'))?.status, 'running');
      assert.equal(await s.saveFenced(record('up-f1', 'done'), 5), true, 'the same execution writes again');
      assert.equal(await s.saveFenced(record('up-f1', 'running'), 6), true, 'a newer execution takes over');
      assert.equal(await s.saveFenced(record('up-f1', 'done'), 5), false);
      assert.equal((await s.get('up-f1'))?.status, 'running');
      assert.deepEqual((await s.list(10)).map((r) => r.id), ['up-f1'], 'indexed');
      await s.save(record('up-f1', 'aborted'));
      assert.equal((await s.get('up-f1'))?.status, 'aborted', 'an unfenced save (the bot closing it) always writes');
      assert.equal(await s.saveFenced(record('up-f2', 'running'), 3), true, 'fences are per rollout');
    });
  });
}
