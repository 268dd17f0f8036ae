import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError } from 'bullmq';
import { lockKey } from '../../src/pipeline/handlers/lock.handler.ts';
import type { LockInfo, StateStore } from '../../src/ports/state.port.ts';

/**
 * Hold the one-change-at-a-time lock of `env/group` while `fn` runs: a lease renewed by a heartbeat
 * every third of its TTL, so a crashed worker's lock expires by itself. Waits (reporting the holder)
 * up to `waitMs` for another change to finish; a lease lost mid-job is reported through `lost()`.
 */
export async function withLease<T>(
  state: StateStore,
  where: { env: string; group: string },
  holder: string,
  purpose: string,
  opts: { ttlMs: number; waitMs: number; onWait?: (current: LockInfo) => Promise<void> | void; onLost?: () => void },
  fn: () => Promise<T>,
): Promise<T> {
  const key = lockKey(where.env, where.group);
  const deadline = Date.now() + opts.waitMs;
  let told = false;
  for (;;) {
    const got = await state.acquireLock(key, holder, purpose, opts.ttlMs);
    if (got.ok) break;
    // Our own lock from an earlier attempt of this job: take it over.
    if (got.current.holder === holder) break;
    if (!told) {
      told = true;
      await opts.onWait?.(got.current);
    }
    if (Date.now() > deadline) {
      throw new UnrecoverableError(`${key} stayed locked by ${got.current.holder} (${got.current.purpose}) for ${Math.round(opts.waitMs / 60_000)}m — nothing was changed; run the command again once it is free`);
    }
    await sleep(1_000);
  }
  let lost = false;
  const beat = setInterval(() => {
    state.renewLock(key, holder, opts.ttlMs).then(
      (ok) => {
        if (!ok && !lost) {
          lost = true;
          opts.onLost?.();
        }
      },
      () => undefined,
    );
  }, Math.max(500, Math.floor(opts.ttlMs / 3)));
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    await state.releaseLock(key, holder).catch(() => undefined);
  }
}
