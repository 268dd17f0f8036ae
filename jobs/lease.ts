import type { LockInfo, StateStore } from '../src/ports/state.port.ts';

export interface Lease {
  /** False once a renewal found someone else holding it (or the key gone and retaken). */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * Take a lock and keep it with a heartbeat (renewed every third of `ttlMs`). If the process dies
 * the lease simply expires: no stale locks. Waits while someone else holds it, calling `onWait`.
 */
export async function takeLease(
  state: StateStore,
  opts: { key: string; holder: string; purpose: string; ttlMs: number; waitMs: number; pollMs?: number; onWait?: (current: LockInfo) => Promise<void> | void; onLost?: () => void; sleep?: (ms: number) => Promise<void> },
): Promise<Lease | { current: LockInfo }> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + opts.waitMs;
  let notified = '';
  for (;;) {
    const got = await state.acquireLock(opts.key, opts.holder, opts.purpose, opts.ttlMs);
    if (got.ok) break;
    if (Date.now() >= deadline) return { current: got.current };
    if (notified !== got.current.holder) {
      notified = got.current.holder;
      await opts.onWait?.(got.current);
    }
    await sleep(opts.pollMs ?? Math.min(1_000, opts.ttlMs / 3));
  }
  let held = true;
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = state.renewLock(opts.key, opts.holder, opts.ttlMs).then(
      (ok) => {
        if (ok || !held) return;
        held = false;
        opts.onLost?.();
      },
      () => undefined, // a Redis blip: try again at the next beat; the lease outlives two missed beats
    );
  }, Math.max(50, Math.floor(opts.ttlMs / 3)));
  timer.unref();
  return {
    get held() { return held; },
    async release() {
      clearInterval(timer);
      await renewing;
      if (held) await state.releaseLock(opts.key, opts.holder).catch(() => undefined);
    },
  };
}

export function isLease(x: Lease | { current: LockInfo }): x is Lease {
  return 'release' in x;
}
