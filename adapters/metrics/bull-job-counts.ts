import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from '../../src/ports/queue.port.ts';
import { queuePrefix } from '../../src/ports/key-layout.ts';
import type { JobCounts } from './scrape-frame.ts';

/** Reads job counts per queue and state straight from BullMQ (one Queue per name on a shared connection). */
export interface BullJobCounts {
  counts(): Promise<JobCounts>;
  /** Closes the Queue objects; the connection belongs to the caller. */
  close(): Promise<void>;
}

/** `prefix` must be the one the BullJobQueue and workers use (the base prefix; each queue gets its hash tag). */
export function bullJobCounts(connection: Redis, prefix: string): BullJobCounts {
  const queues = QUEUE_NAMES.map((name) => {
    const q = new Queue(name, { connection, prefix: queuePrefix(prefix, name) });
    // A Redis outage is reported through chainops_metrics_source_up; this keeps 'error' from being unhandled.
    q.on('error', () => {});
    return [name, q] as const;
  });
  return {
    async counts() {
      const entries = await Promise.all(queues.map(async ([name, q]) => [name, await q.getJobCounts()] as const));
      return Object.fromEntries(entries) as JobCounts;
    },
    async close() {
      await Promise.all(queues.map(([, q]) => q.close()));
    },
  };
}
