import { randomBytes } from 'node:crypto';
import type pino from 'pino';
import { RedisOutbox } from '../../adapters/outbox/redis.outbox.ts';
import { BullJobQueue } from '../../adapters/queue/bullmq.queue.ts';
import { RedisAuditLog } from '../../adapters/redis/redis-audit.log.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';
import { RedisStateStore } from '../../adapters/redis/redis-state.store.ts';
import { createCheckers, type CheckerRegistry } from '../../adapters/rpc/checker-registry.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import { loadFleet } from '../fleet/fleet.load.ts';
import { sweep } from '../health/sweep.ts';
import type { CoreDeps } from '../pipeline/deps.ts';
import { systemClock } from '../ports/clock.port.ts';
import type { Redis } from 'ioredis';

/** The shared pieces every process role (bot, worker, console) is built from. */
export interface Runtime {
  redisUrl: string;
  prefix: string;
  logger: pino.Logger;
  fleet: () => Fleet;
  checkers: CheckerRegistry;
  state: RedisStateStore;
  audit: RedisAuditLog;
  queue: BullJobQueue;
  outbox: RedisOutbox;
  core: CoreDeps;
  /** A new Redis connection of this runtime (closed by `close()`). */
  connect(kind: 'worker' | 'events' | 'state'): Redis;
  close(): Promise<void>;
}

/** Short random id part for approvals and jobs: 8 base-36 characters. */
export function newId(): string {
  return BigInt(`0x${randomBytes(6).toString('hex')}`).toString(36).padStart(8, '0').slice(-8);
}

/** Load the fleet file and connect to Redis. Throws a clear error for a bad file or URL. */
export async function createRuntime(opts: { redisUrl: string; prefix: string; fleetPath: string; logger: pino.Logger }): Promise<Runtime> {
  const fleet = await loadFleet(opts.fleetPath);
  const connections: Redis[] = [];
  const connect = (kind: 'worker' | 'events' | 'state' | 'producer') => {
    const c = createRedis(opts.redisUrl, kind, opts.logger);
    connections.push(c);
    return c;
  };
  const stateRedis = connect('state');
  const state = new RedisStateStore(stateRedis, { prefix: opts.prefix });
  const audit = new RedisAuditLog(stateRedis, { prefix: opts.prefix, logger: opts.logger });
  const queue = new BullJobQueue({ connection: connect('producer'), prefix: opts.prefix, logger: opts.logger });
  const outbox = new RedisOutbox(stateRedis, opts.prefix);
  const checkers = createCheckers();
  const current = () => fleet;
  const core: CoreDeps = {
    fleet: current,
    queue,
    state,
    audit,
    outbox,
    clock: systemClock,
    logger: opts.logger,
    newId,
    checkNow: (nodes) =>
      sweep(fleet, checkers, { nodes, concurrency: fleet.health.concurrency, timeoutMs: fleet.health.timeout, now: () => Date.now() }),
  };
  return {
    redisUrl: opts.redisUrl,
    prefix: opts.prefix,
    logger: opts.logger,
    fleet: current,
    checkers,
    state,
    audit,
    queue,
    outbox,
    core,
    connect: (kind) => connect(kind),
    async close() {
      await queue.close().catch(() => undefined);
      await checkers.close().catch(() => undefined);
      await Promise.all(connections.map((c) => closeRedis(c)));
    },
  };
}
