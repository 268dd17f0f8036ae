import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { snapshot, stateStoreContract } from '../helpers/state-store.contract.ts';

stateStoreContract('memory', async () => new MemoryStateStore());

describe('MemoryStateStore with a stepping clock', () => {
  it('expires leases, claims and history by the injected clock', async () => {
    let now = 1_000;
    const s = new MemoryStateStore({ clock: { now: () => now }, historyTtlMs: 500 });
    await s.acquireLock('k', 'h1', 'p', 100);
    assert.equal((await s.acquireLock('k', 'h2', 'p', 100)).ok, false);
    assert.equal(await s.claimOnce('c', 100), true);
    await s.putSnapshots([snapshot('a', 1)]);
    now += 100;
    assert.equal((await s.acquireLock('k', 'h2', 'p', 100)).ok, true);
    assert.equal(await s.claimOnce('c', 100), true);
    assert.equal((await s.getSnapshotHistory('a')).length, 1);
    now += 500;
    assert.deepEqual(await s.getSnapshotHistory('a'), [], 'history expired');
    assert.equal((await s.getSnapshots(['a'])).length, 1, 'latest stays');
    assert.deepEqual(await s.listLocks(), [], 'expired lock not listed');
  });
});

describe('MemoryAuditLog', () => {
  it('returns the newest entries first and keeps copies', async () => {
    const log = new MemoryAuditLog();
    for (let i = 0; i < 5; i++) await log.append({ at: i, actor: 'system', action: 'job.start', detail: `job ${i}` });
    const latest = await log.latest(3);
    assert.deepEqual(latest.map((e) => e.at), [4, 3, 2]);
    latest[0]!.detail = 'rewritten';
    assert.equal((await log.latest(1))[0]?.detail, 'job 4');
    assert.deepEqual(await log.latest(0), []);
  });

  it('drops the oldest entries past maxLen', async () => {
    const log = new MemoryAuditLog({ maxLen: 3 });
    for (let i = 0; i < 5; i++) await log.append({ at: i, actor: 'system', action: 'x', detail: '' });
    assert.deepEqual((await log.latest(10)).map((e) => e.at), [4, 3, 2]);
  });
});
