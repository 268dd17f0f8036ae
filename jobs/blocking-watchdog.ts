import type { Worker } from 'bullmq';

/** Status of a BullMQ worker's blocking connection, or undefined when it has none (or not yet). */
export async function blockingStatus(worker: Worker): Promise<string | undefined> {
  // The Redis backend's escape hatch to its dedicated BZPOPMIN connection (bullmq RedisQueueBackend).
  const pending = (worker.backend as { blockingClient?: Promise<{ status: string }> }).blockingClient;
  if (!pending) return undefined;
  return (await pending).status;
}

export interface BlockingWatchdogOptions {
  /** Not ready this long → `onStuck`. */
  stuckMs: number;
  /** How often to look. @defaultValue 1 000 ms, or stuckMs / 4 if less */
  everyMs?: number;
  now?: () => number;
}

/**
 * Watches the blocking connection of a set of workers and calls `onStuck(key)` once a worker's has not
 * been `ready` for `stuckMs`: the failure of BullMQ issues #3088, #3185 and #4378, where after a
 * Sentinel failover the blocking connection ends up in ioredis' terminal `end` state (or never finds
 * the primary again) while `worker.isRunning()` stays true and no job is taken. Recreating the worker is
 * the one cure that works from outside BullMQ. A key is counted again from zero after `onStuck`.
 */
export function watchBlocking(workers: () => Iterable<[string, Worker]>, onStuck: (key: string) => void, opts: BlockingWatchdogOptions): { stop(): void } {
  const now = opts.now ?? Date.now;
  const notReadySince = new Map<string, number>();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const seen = new Set<string>();
      for (const [key, worker] of workers()) {
        seen.add(key);
        if (worker.closing) continue;
        const status = await blockingStatus(worker).catch(() => 'error');
        if (status === undefined || status === 'ready') {
          notReadySince.delete(key);
          continue;
        }
        const since = notReadySince.get(key) ?? now();
        notReadySince.set(key, since);
        if (now() - since >= opts.stuckMs) {
          notReadySince.delete(key);
          onStuck(key);
        }
      }
      for (const key of notReadySince.keys()) if (!seen.has(key)) notReadySince.delete(key);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.everyMs ?? Math.min(1_000, Math.max(50, Math.floor(opts.stuckMs / 4))));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
