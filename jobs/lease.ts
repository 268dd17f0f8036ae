import type { LockInfo, StateStore } from '../src/ports/state.port.ts';

export interface Lease {
  readonly key: string;
  /** False once a renewal or check found the token no longer current (taken, released or force-released). */
  readonly held: boolean;
  /** The fencing token of this acquisition (grows with every acquisition of the key). */
  readonly token: number;
  /**
   * Ask the store, now, whether the token is still current (and renew the lease). Call it right
   * before acting on what the lease guards; false means stop.
   */
  current(): Promise<boolean>;
  release(): Promise<void>;
}

/** A lease lost mid-change: the run stops before its next step and records why. */
export class LeaseLost extends Error {
  constructor(readonly key: string) {
    super(`lost the lease on ${key} (it expired and was taken by another run, or was force-unlocked) — stopped before the next step`);
  }
}

/** Throw `LeaseLost` unless every lease is still current (checked in the store, not from memory). */
export async function assertCurrent(leases: Iterable<Lease | undefined>): Promise<void> {
  for (const l of leases) if (l && !(await l.current())) throw new LeaseLost(l.key);
}

/** An ordinal for people: 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** What a job waiting for `where` says about it: who holds it and, in a line, its place. */
export function waitingText(where: string, current: LockInfo | undefined, place: number): string {
  const line = place > 1 ? `${ordinal(place)} in line` : 'next in line';
  return current ? `waiting for ${where}: locked by ${current.holder} (${current.purpose}); ${line}` : `waiting for ${where}: ${line}, after ${place - 1} other change${place === 2 ? '' : 's'}`;
}

/**
 * Take a fenced lease (`acquireFenced`: a token from a counter that only grows) and keep it with a
 * heartbeat (renewed every third of `ttlMs`). `holder` must name this execution, not the change: a
 * re-delivered job of the same change is another execution and waits for the lease. If the process dies
 * the lease simply expires: no stale locks. Waits while someone else holds it, calling `onWait` with
 * the holder (undefined: free, but another waiter is ahead) and, with `queue`, the caller's place in
 * line — waiters then take the lock in the order they started waiting.
 */
export async function takeLease(
  state: StateStore,
  opts: {
    key: string; holder: string; purpose: string; ttlMs: number; waitMs: number; pollMs?: number;
    /** Wait in line (first come, first served) rather than race the other waiters. */
    queue?: boolean;
    onWait?: (current: LockInfo | undefined, place: number) => Promise<void> | void;
    onLost?: () => void; sleep?: (ms: number) => Promise<void>;
  },
): Promise<Lease | { current: LockInfo }> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const pollMs = opts.pollMs ?? Math.min(1_000, opts.ttlMs / 3);
  // A place in line lapses when its waiter stops calling: a few polls' worth, never less than 5 s.
  const placeTtl = Math.max(5_000, pollMs * 5);
  const deadline = Date.now() + opts.waitMs;
  let notified = '';
  let token = 0;
  for (;;) {
    const place = opts.queue ? await state.queueForLock(opts.key, opts.holder, placeTtl) : 1;
    let current: LockInfo | undefined;
    if (place === 1) {
      const got = await state.acquireFenced(opts.key, opts.holder, opts.purpose, opts.ttlMs);
      if (got.ok) {
        token = got.token;
        break;
      }
      current = got.current;
    } else {
      current = await state.getLock(opts.key);
    }
    if (Date.now() >= deadline) {
      if (opts.queue) await state.leaveLockQueue(opts.key, opts.holder).catch(() => undefined);
      const now = Date.now();
      return { current: current ?? { key: opts.key, holder: 'the waiters ahead in line', purpose: `${place - 1} ahead`, acquiredAt: now, expiresAt: now } };
    }
    const seen = `${current?.holder ?? ''}#${place}`;
    if (notified !== seen) {
      notified = seen;
      await opts.onWait?.(current, place);
    }
    await sleep(pollMs);
  }
  if (opts.queue) await state.leaveLockQueue(opts.key, opts.holder).catch(() => undefined);
  let held = true;
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = async (): Promise<boolean> => {
    if (!held) return false;
    const ok = await state.renewFenced(opts.key, opts.holder, token, opts.purpose, opts.ttlMs);
    if (!ok && held) {
      held = false;
      opts.onLost?.();
    }
    return ok;
  };
  // A Redis blip: try again at the next beat. A pause longer than the lease is survived too: the
  // renewal takes the expired lease back if its token is still current.
  const timer = setInterval(() => { renewing = renew().catch(() => undefined); }, Math.max(50, Math.floor(opts.ttlMs / 3)));
  timer.unref();
  return {
    key: opts.key,
    token,
    get held() { return held; },
    current: renew,
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
