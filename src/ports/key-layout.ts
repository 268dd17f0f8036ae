import type { QueueName } from './queue.port.ts';

/**
 * The stores that keep keys in Redis. Each gets its own Redis Cluster hash tag, so all of one store's
 * keys live in one slot (its multi-key Lua scripts, MULTIs and pipelines never cross slots) while the
 * stores spread over the shards. See docs/redis-keys.md.
 */
export type StoreName = 'state' | 'alerts' | 'audit' | 'rollouts' | 'outbox' | 'fleet' | 'sweepers' | 'releases';

/**
 * The key prefix of one store: `{<prefix>:<store>}`. Stores build every key as `${storePrefix}:…`, so
 * only the part between the braces decides the slot, and a key added under a store's prefix later
 * follows automatically. A single Redis sees plain names of the same shape.
 */
export function storePrefix(prefix: string, store: StoreName): string {
  return `{${prefix}:${store}}`;
}

/**
 * BullMQ's key prefix for one queue: `{<prefix>:q:<queue>}`, so its keys are `{chainops:q:health}:health:…`.
 * BullMQ's scripts touch many keys of one queue at once; one tag per queue keeps each queue in one slot
 * and spreads the queues over the shards.
 */
export function queuePrefix(prefix: string, queue: QueueName): string {
  return `{${prefix}:q:${queue}}`;
}
