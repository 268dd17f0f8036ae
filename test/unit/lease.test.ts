import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { isLease, ordinal, takeLease, waitingText, type Lease } from '../../jobs/lease.ts';
import type { LockInfo } from '../../src/ports/state.port.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('takeLease in a line', () => {
  it('waiters take the lock in the order they started waiting, and each is told its place', async () => {
    const state = new MemoryStateStore();
    await state.acquireLock('prod/eth', 'up-a', 'upgrade eth (up-a)', 60_000);
    const seen: Record<string, string[]> = { 'up-b': [], 'up-c': [] };
    const order: string[] = [];
    const wait = (holder: string) => takeLease(state, {
      key: 'prod/eth', holder, purpose: `upgrade eth (${holder})`, ttlMs: 60_000, waitMs: 10_000, pollMs: 2, queue: true,
      onWait: (current, place) => void seen[holder]!.push(waitingText('prod/eth', current, place)),
    }).then((l) => {
      order.push(holder);
      return l;
    });
    const b = wait('up-b');
    await tick();
    const c = wait('up-c'); // c polls as often as b: without the line it would win half the time
    await tick();
    await state.releaseLock('prod/eth', 'up-a');
    const first = await b;
    assert.ok(isLease(first));
    assert.deepEqual(order, ['up-b'], 'b, who waited first, got it; c still waits');
    await waitFor(async () => seen['up-c']!.some((t) => /locked by up-b .*next in line/.test(t)), { what: 'c to see b holding it', timeoutMs: 5_000, intervalMs: 2 });
    await (first as Lease).release();
    const second = await c;
    assert.ok(isLease(second));
    await (second as Lease).release();
    assert.deepEqual(order, ['up-b', 'up-c']);
    assert.equal(seen['up-b']![0], 'waiting for prod/eth: locked by up-a (upgrade eth (up-a)); next in line');
    assert.ok(seen['up-c']!.includes('waiting for prod/eth: locked by up-a (upgrade eth (up-a)); 2nd in line'), seen['up-c']!.join(' | '));
  });

  it('a waiter that died loses its place, so it never blocks the line', async () => {
    const state = new MemoryStateStore();
    await state.acquireLock('prod/eth', 'up-a', 'a', 60_000);
    assert.equal(await state.queueForLock('prod/eth', 'up-dead', 50), 1); // then never calls again
    const got = takeLease(state, { key: 'prod/eth', holder: 'up-b', purpose: 'b', ttlMs: 60_000, waitMs: 10_000, pollMs: 5, queue: true });
    await state.releaseLock('prod/eth', 'up-a');
    const lease = await got;
    assert.ok(isLease(lease), 'up-b got it once up-dead\'s place lapsed');
    await lease.release();
  });

  it('giving up leaves the line and names who holds the lock', async () => {
    const state = new MemoryStateStore();
    await state.acquireLock('prod/eth', 'up-a', 'upgrade (up-a)', 60_000);
    const r = await takeLease(state, { key: 'prod/eth', holder: 'up-b', purpose: 'b', ttlMs: 60_000, waitMs: 30, pollMs: 5, queue: true });
    assert.ok(!isLease(r));
    assert.equal((r as { current: LockInfo }).current.holder, 'up-a');
    assert.equal(await state.queueForLock('prod/eth', 'up-c', 60_000), 1, 'up-b left the line');
  });

  it('ordinals and texts', () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal), ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st']);
    assert.equal(waitingText('prod/eth', undefined, 3), 'waiting for prod/eth: 3rd in line, after 2 other changes');
  });
});
