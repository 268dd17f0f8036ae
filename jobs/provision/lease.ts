import { UnrecoverableError } from 'bullmq';
import { lockKey } from '../../src/policy/locks.ts';
import type { LockInfo, StateStore } from '../../src/ports/state.port.ts';
import { isLease, takeLease } from '../lease.ts';

/**
 * Hold the one-change-at-a-time lock of `env/group` while `fn` runs (a lease with a heartbeat, see
 * `takeLease`). Waits (reporting the holder) up to `waitMs` for another change to finish; a lease
 * lost mid-job is reported through `onLost`.
 */
export async function withLease<T>(
  state: StateStore,
  where: { env: string; group: string },
  holder: string,
  purpose: string,
  opts: { ttlMs: number; waitMs: number; onWait?: (current: LockInfo | undefined, place: number) => Promise<void> | void; onLost?: () => void },
  fn: () => Promise<T>,
): Promise<T> {
  const key = lockKey(where.env, where.group);
  const lease = await takeLease(state, { key, holder, purpose, queue: true, ...opts });
  if (!isLease(lease)) {
    throw new UnrecoverableError(`${key} stayed locked by ${lease.current.holder} (${lease.current.purpose}) for ${Math.round(opts.waitMs / 60_000)}m — nothing was changed; run the command again once it is free`);
  }
  try {
    return await fn();
  } finally {
    await lease.release();
  }
}
