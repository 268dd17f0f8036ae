// The StateStore contract: every implementation (memory, Redis) must pass these same tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StateStore } from '../../src/ports/state.port.ts';
import type { ApprovalRequest } from '../../src/approval/approval.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { ChainopsError } from '../../src/errors.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';

/** Both implementations also expose a node's history (not part of the port). */
export type ContractStore = StateStore & { getSnapshotHistory(node: string, limit?: number): Promise<Snapshot[]> };

export function snapshot(node: string, at: number, extra: Partial<Snapshot> = {}): Snapshot {
  return {
    node, group: 'eth-main', env: 'dev', chain: 'ethereum', network: 'mainnet', at,
    reachable: true, head: at, latencyMs: 12, warnings: [], ...extra,
  };
}

export function approval(id: string, extra: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const now = Date.now();
  return {
    id, env: 'prod', command: 'upgrade eth-main to 1.14.3', planHash: 'abc123',
    job: { queue: 'upgrade', jobId: `upg-${id}`, data: { v: 1, group: 'eth-main' } },
    requestedBy: 'slack:T1/U1', required: 2, selfApproval: false, approverRole: 'approver',
    approvals: [], status: 'pending', createdAt: now, expiresAt: now + 1_800_000, rev: 0, ...extra,
  };
}

/** Register the contract suite; `make` returns a fresh, empty store for each test. */
export function stateStoreContract(label: string, make: () => Promise<ContractStore>): void {
  describe(`StateStore contract: ${label}`, () => {
    it('keeps the latest snapshot per node and a newest-first history', async () => {
      const s = await make();
      await s.putSnapshots([snapshot('a', 1), snapshot('b', 1)]);
      await s.putSnapshots([snapshot('a', 2, { reachable: false, error: 'connection refused' })]);
      const all = await s.getSnapshots();
      assert.deepEqual(all.map((x) => [x.node, x.at]), [['a', 2], ['b', 1]]);
      assert.equal(all[0]?.error, 'connection refused');
      assert.deepEqual((await s.getSnapshots(['b', 'zz'])).map((x) => x.node), ['b']);
      assert.deepEqual(await s.getSnapshots([]), []);
      assert.deepEqual((await s.getSnapshotHistory('a')).map((x) => x.at), [2, 1]);
      assert.deepEqual((await s.getSnapshotHistory('a', 1)).map((x) => x.at), [2]);
    });

    it('caps the snapshot history', async () => {
      const s = await make();
      for (let i = 0; i < 130; i++) await s.putSnapshots([snapshot('a', i)]);
      const hist = await s.getSnapshotHistory('a');
      assert.equal(hist.length, 120);
      assert.equal(hist[0]?.at, 129);
    });

    it('stores approvals; a save with a stale rev is refused; a save stores rev + 1', async () => {
      const s = await make();
      await s.createApproval(approval('ap1'));
      const a = await s.getApproval('ap1');
      assert.equal(a?.rev, 0);
      assert.equal(await s.saveApproval({ ...a!, approvals: ['slack:T1/U2'] }, 0), true);
      const b = await s.getApproval('ap1');
      assert.equal(b?.rev, 1);
      assert.deepEqual(b?.approvals, ['slack:T1/U2']);
      assert.deepEqual(b?.job, a?.job);
      assert.equal(await s.saveApproval({ ...a!, status: 'rejected' }, 0), false, 'stale rev must lose');
      assert.equal((await s.getApproval('ap1'))?.status, 'pending');
      assert.equal(await s.saveApproval(approval('nope'), 0), false, 'unknown id is not created by save');
      assert.equal(await s.getApproval('nope'), undefined);
    });

    it('lets exactly one of two concurrent saves with the same rev win', async () => {
      const s = await make();
      await s.createApproval(approval('race'));
      for (let round = 0; round < 5; round++) {
        const cur = (await s.getApproval('race'))!;
        const results = await Promise.all([
          s.saveApproval({ ...cur, approvals: [...cur.approvals, `slack:T1/A${round}`] }, cur.rev),
          s.saveApproval({ ...cur, approvals: [...cur.approvals, `slack:T1/B${round}`] }, cur.rev),
        ]);
        assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${results}`);
        assert.equal((await s.getApproval('race'))?.rev, cur.rev + 1);
      }
      assert.equal((await s.getApproval('race'))?.approvals.length, 5);
    });

    it('refuses to create an approval id twice and lists by status, oldest first', async () => {
      const s = await make();
      await s.createApproval(approval('x1', { createdAt: 1000 }));
      await s.createApproval(approval('x2', { createdAt: 2000, status: 'approved' }));
      await assert.rejects(s.createApproval(approval('x1')), (e) => e instanceof ChainopsError && e.code === 'conflict');
      assert.deepEqual((await s.listApprovals()).map((a) => a.id), ['x1', 'x2']);
      assert.deepEqual((await s.listApprovals('approved')).map((a) => a.id), ['x2']);
      assert.deepEqual(await s.listApprovals('expired'), []);
    });

    it('refuses a held lock and says who holds it', async () => {
      const s = await make();
      assert.deepEqual(await s.acquireLock('prod/eth-main', 'job-1', 'upgrade eth-main', 60_000), { ok: true });
      const second = await s.acquireLock('prod/eth-main', 'job-2', 'restart', 60_000);
      assert.equal(second.ok, false);
      if (second.ok) return;
      assert.equal(second.current.holder, 'job-1');
      assert.equal(second.current.purpose, 'upgrade eth-main');
      assert.equal(second.current.key, 'prod/eth-main');
      assert.ok(second.current.expiresAt > second.current.acquiredAt);
      assert.deepEqual(await s.acquireLock('prod/eth-main', 'job-1', 'upgrade eth-main', 60_000), { ok: true }, 'holder may re-take');
      assert.equal((await s.getLock('prod/eth-main'))?.holder, 'job-1');
      assert.equal(await s.getLock('prod/other'), undefined);
    });

    it('a line of waiters for a lock: places by first wait, a waiter that stops calling drops out, leaving frees the place', async () => {
      const s = await make();
      assert.equal(await s.queueForLock('prod/eth', 'up-a', 60_000), 1);
      assert.equal(await s.queueForLock('prod/eth', 'up-b', 60_000), 2);
      assert.equal(await s.queueForLock('prod/eth', 'up-c', 300), 3);
      assert.equal(await s.queueForLock('prod/eth', 'up-b', 60_000), 2, 'calling again keeps the place');
      assert.equal(await s.queueForLock('prod/other', 'up-z', 60_000), 1, 'each lock has its own line');
      await s.leaveLockQueue('prod/eth', 'up-a');
      assert.equal(await s.queueForLock('prod/eth', 'up-b', 60_000), 1);
      assert.equal(await s.queueForLock('prod/eth', 'up-c', 300), 2);
      // up-c stops calling; up-d, waiting with a short time-to-live, sees it drop out.
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(await s.queueForLock('prod/eth', 'up-d', 300), 2, 'up-c dropped out: up-d is behind up-b only');
    });

    it('frees a lock when its lease expires', async () => {
      const s = await make();
      await s.acquireLock('dev/g', 'job-1', 'drift', 150);
      assert.equal((await s.acquireLock('dev/g', 'job-2', 'drift', 60_000)).ok, false);
      await waitFor(async () => (await s.acquireLock('dev/g', 'job-2', 'drift', 60_000)).ok, { what: 'lease expiry', timeoutMs: 5_000, intervalMs: 20 });
      assert.equal((await s.getLock('dev/g'))?.holder, 'job-2');
      assert.equal(await s.renewLock('dev/g', 'job-1', 60_000), false, 'the old holder lost it');
    });

    it('lets only the holder renew or release; force release works for anyone', async () => {
      const s = await make();
      await s.acquireLock('k', 'h1', 'p', 300);
      assert.equal(await s.renewLock('k', 'h2', 60_000), false);
      assert.equal(await s.releaseLock('k', 'h2'), false);
      assert.equal(await s.renewLock('k', 'h1', 60_000), true);
      const renewed = (await s.getLock('k'))!;
      assert.ok(renewed.expiresAt - Date.now() > 30_000, 'renew moves expiresAt');
      assert.equal(await s.releaseLock('k', 'h1'), true);
      assert.equal(await s.releaseLock('k', 'h1'), false);
      assert.equal(await s.renewLock('k', 'h1', 1000), false, 'renew cannot resurrect a released lock');
      await s.acquireLock('k', 'h3', 'p', 60_000);
      assert.equal(await s.forceReleaseLock('k'), true);
      assert.equal(await s.forceReleaseLock('k'), false);
      assert.equal(await s.getLock('k'), undefined);
    });

    it('fenced leases: each acquisition gets a larger token, not re-entrant for another holder, the holder re-taking keeps its token', async () => {
      const s = await make();
      const a = await s.acquireFenced('node:eth-1', 'up-a/run-1', 'upgrade', 60_000);
      assert.ok(a.ok && a.token >= 1);
      const again = await s.acquireFenced('node:eth-1', 'up-a/run-1', 'upgrade', 60_000);
      assert.deepEqual(again, { ok: true, token: a.token }, 'the same execution re-taking keeps its token');
      const other = await s.acquireFenced('node:eth-1', 'up-a/run-2', 'upgrade (re-delivered)', 60_000);
      assert.equal(other.ok, false, 'a second execution of the same rollout does not get the node');
      assert.equal(!other.ok && other.current.holder, 'up-a/run-1');
      assert.equal((await s.getLock('node:eth-1'))?.token, a.token);
      assert.equal(await s.releaseLock('node:eth-1', 'up-a/run-1'), true);
      assert.equal(await s.renewFenced('node:eth-1', 'up-a/run-1', a.token, 'upgrade', 60_000), false, 'a released token is never current again');
      const b = await s.acquireFenced('node:eth-1', 'up-a/run-2', 'upgrade', 60_000);
      assert.ok(b.ok && b.token > a.token, 'tokens only grow');
      assert.equal(await s.renewFenced('node:eth-1', 'up-a/run-2', b.token, 'upgrade', 60_000), true);
      assert.equal(await s.renewFenced('node:eth-1', 'up-a/run-1', b.token, 'upgrade', 60_000), false, 'another holder cannot renew with a token it read');
    });

    it('fenced leases: an expired lease nobody took is taken back by its holder; once another took it, the old token is stale', async () => {
      const s = await make();
      const a = await s.acquireFenced('prod/g', 'x/1', 'upgrade', 150);
      assert.ok(a.ok);
      await waitFor(async () => (await s.getLock('prod/g')) === undefined, { what: 'lease expiry', timeoutMs: 5_000, intervalMs: 20 });
      assert.equal(await s.renewFenced('prod/g', 'x/1', a.token, 'upgrade', 60_000), true, 'still current: taken back');
      assert.equal((await s.getLock('prod/g'))?.holder, 'x/1');
      assert.equal((await s.acquireFenced('prod/g', 'x/2', 'upgrade', 60_000)).ok, false);
      await s.releaseLock('prod/g', 'x/1');
      const c = await s.acquireFenced('prod/g', 'x/2', 'upgrade', 150);
      assert.ok(c.ok && c.token > a.token);
      await waitFor(async () => (await s.getLock('prod/g')) === undefined, { what: 'lease expiry', timeoutMs: 5_000, intervalMs: 20 });
      const d = await s.acquireFenced('prod/g', 'x/3', 'upgrade', 60_000);
      assert.ok(d.ok && d.token > c.token);
      assert.equal(await s.renewFenced('prod/g', 'x/2', c.token, 'upgrade', 60_000), false, 'x/3 took it after it expired: x/2 lost it');
      assert.equal(await s.forceReleaseLock('prod/g'), true);
      assert.equal(await s.renewFenced('prod/g', 'x/3', d.token, 'upgrade', 60_000), false, 'force release voids the token');
      assert.equal(await s.getLock('prod/g'), undefined, 'and a stale renew does not bring the lease back');
    });

    it('lists live locks sorted by key', async () => {
      const s = await make();
      await s.acquireLock('b', 'h', 'p', 60_000);
      await s.acquireLock('a', 'h', 'p', 60_000);
      await s.acquireLock('gone', 'h', 'p', 60_000);
      await s.releaseLock('gone', 'h');
      assert.deepEqual((await s.listLocks()).map((l) => l.key), ['a', 'b']);
    });

    it('sets, reads and clears a freeze', async () => {
      const s = await make();
      assert.equal(await s.getFreeze('prod'), undefined);
      await s.setFreeze({ env: 'prod', by: 'slack:T1/U1', reason: 'exchange listing', at: 5 });
      assert.deepEqual(await s.getFreeze('prod'), { env: 'prod', by: 'slack:T1/U1', reason: 'exchange listing', at: 5 });
      assert.equal(await s.getFreeze('dev'), undefined);
      assert.equal(await s.clearFreeze('prod'), true);
      assert.equal(await s.clearFreeze('prod'), false);
      assert.equal(await s.getFreeze('prod'), undefined);
    });

    it('remembers message refs', async () => {
      const s = await make();
      const ref = { platform: 'slack' as const, channelId: 'C1', messageId: '1700.01', threadId: '1700.00' };
      await s.setMessageRef('job:upg-1', ref);
      assert.deepEqual(await s.getMessageRef('job:upg-1'), ref);
      assert.equal(await s.getMessageRef('job:none'), undefined);
    });

    it('claims a key once until its ttl passes', async () => {
      const s = await make();
      const results = await Promise.all(Array.from({ length: 10 }, () => s.claimOnce('delivery-1', 150)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await s.claimOnce('delivery-2', 60_000), true);
      await waitFor(() => s.claimOnce('delivery-1', 60_000), { what: 'claim ttl', timeoutMs: 5_000, intervalMs: 20 });
    });

    it('hands out copies: changing a returned or passed object changes nothing stored', async () => {
      const s = await make();
      const snap = snapshot('a', 1);
      await s.putSnapshots([snap]);
      snap.warnings.push('mutated');
      const got = (await s.getSnapshots(['a']))[0]!;
      got.head = -1;
      assert.deepEqual((await s.getSnapshots(['a']))[0], snapshot('a', 1));
    });
  });
}
