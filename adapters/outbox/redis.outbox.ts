import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Platform } from '../../src/chat/chat-event.ts';
import type { Outbox, OutboxItem } from '../../src/ports/outbox.port.ts';
import type { Logger } from '../../src/pipeline/deps.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { OutboxDelay, retryAfterMsOf } from './outbox-delay.ts';

const GROUP = 'bots';

/**
 * `{<prefix>:outbox}:outbox:<platform>`: every platform's stream (and its delay set) under one hash
 * tag, because one XREADGROUP reads them all and that needs one slot on a Cluster.
 */
export function outboxStreamKey(prefix: string, platform: Platform): string {
  return `${storePrefix(prefix, 'outbox')}:outbox:${platform}`;
}
const MAXLEN = 100_000;

/**
 * Outbox on Redis streams, one per platform, so a worker's progress reaches whichever bot replica
 * holds that platform's connection. A consumer group gives each item to one replica; an item is
 * acknowledged only after delivery, and items left pending by a dead replica are claimed again.
 */
export class RedisOutbox implements Outbox {
  /** `prefix` is the install's base prefix; the streams live under the outbox's hash tag (docs/redis-keys.md). */
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  streamKey(platform: Platform): string {
    return outboxStreamKey(this.prefix, platform);
  }

  async publish(item: OutboxItem): Promise<void> {
    await this.redis.xadd(this.streamKey(item.conversation.platform), 'MAXLEN', '~', String(MAXLEN), '*', 'item', JSON.stringify(item));
  }
}

export interface OutboxConsumerOptions {
  /** A dedicated connection: XREADGROUP BLOCK holds it. A duplicate of it does the other commands. */
  redis: Redis;
  prefix: string;
  platforms: Platform[];
  consumer: string;
  /** Throw an error carrying `retryAfterMs` to have the item delivered again that much later. */
  deliver: (item: OutboxItem) => Promise<unknown>;
  logger: Logger;
  /** Reclaim items another replica left pending this long. @defaultValue 30 000 */
  claimIdleMs?: number;
  /** Items being delivered at once (one at a time per channel). @defaultValue 64 */
  maxInFlight?: number;
  /** Times one item may be put off for rate limits before it is dropped with an error line. @defaultValue 20 */
  maxDeferrals?: number;
}

/** A stream entry on its way to chat. */
interface Entry {
  key: string;
  id: string;
  raw: string;
  item: OutboxItem;
  deferrals: number;
  /** It came back from the delay set: it is the one its channel waits for, not a newcomer. */
  returning: boolean;
}

/**
 * Consume the outbox streams of these platforms until `stop()`. Each channel's items are delivered in
 * order, one at a time; channels are independent, so a slow or rate-limited channel delays nobody else.
 * An item the platform wants later (`retryAfterMs` on the error) is parked in Redis and comes back
 * through the stream when due; items for the same channel that arrive meanwhile are parked behind it,
 * so a channel's posts and edits keep their order.
 */
export function startOutboxConsumer(opts: OutboxConsumerOptions): { stop(): Promise<void> } {
  const keys = opts.platforms.map((p) => outboxStreamKey(opts.prefix, p));
  const cmd = opts.redis.duplicate();
  // Without a listener ioredis prints every failed reconnect as an "Unhandled error event".
  let lastErrorLog = 0;
  cmd.on('error', (err: Error) => {
    if (Date.now() - lastErrorLog < 10_000) return;
    lastErrorLog = Date.now();
    opts.logger.warn({ err: err.message }, 'outbox connection to Redis failed; retrying');
  });
  const delays = new Map(keys.map((k) => [k, new OutboxDelay(cmd, `${k}:delayed`, k, MAXLEN)]));
  const lanes = new KeyedQueue();
  /** Entries handed to a lane and not yet acknowledged or parked: never reclaimed from ourselves. */
  const inFlight = new Set<string>();
  /** Per channel: parked until this time; newcomers before then (plus a pump's grace) park behind. */
  const parkedUntil = new Map<string, number>();
  const maxInFlight = opts.maxInFlight ?? 64;
  const maxDeferrals = opts.maxDeferrals ?? 20;
  const claimIdleMs = opts.claimIdleMs ?? 30_000;
  let running = true;

  async function deliver(e: Entry): Promise<void> {
    const lane = laneOf(e.item);
    const delay = delays.get(e.key)!;
    try {
      const parked = parkedUntil.get(lane);
      if (!e.returning && parked !== undefined && Date.now() < parked + PUMP_GRACE_MS) {
        // Counted as a deferral, so it comes back as "returning" and is not parked a second time.
        await delay.defer(GROUP, e.id, e.raw, e.deferrals + 1, parked);
        return;
      }
      try {
        await opts.deliver(e.item);
      } catch (err) {
        const retryAfterMs = retryAfterMsOf(err);
        if (retryAfterMs === undefined) throw err;
        if (e.deferrals >= maxDeferrals) {
          opts.logger.error({ id: e.id, channel: lane, deferrals: e.deferrals }, `outbox item dropped: still rate-limited after ${e.deferrals} tries`);
        } else {
          const due = Math.max(Date.now() + retryAfterMs, parkedUntil.get(lane) ?? 0);
          parkedUntil.set(lane, due);
          await delay.defer(GROUP, e.id, e.raw, e.deferrals + 1, due);
          opts.logger.warn({ id: e.id, channel: lane, retryAfterMs }, `outbox item for ${lane} rate-limited; it goes out again in ${Math.ceil(retryAfterMs / 1000)}s, other channels go on`);
          return;
        }
      }
    } catch (err) {
      // A message that cannot be delivered (deleted channel, bad ref) is logged and dropped, never retried forever.
      opts.logger.warn({ err: (err as Error).message, id: e.id, channel: lane }, 'outbox item not delivered');
    }
    await cmd.xack(e.key, GROUP, e.id).catch((err: Error) => opts.logger.warn({ err: err.message, id: e.id }, 'outbox ack failed; the item may be delivered again'));
  }

  function schedule(key: string, id: string, fields: string[] | null): void {
    if (inFlight.has(id) || !fields) return;
    const raw = fields[fields.indexOf('item') + 1];
    const deferralsAt = fields.indexOf('deferrals');
    let item: OutboxItem;
    try {
      item = JSON.parse(raw ?? '') as OutboxItem;
    } catch {
      opts.logger.warn({ id }, 'outbox item is not JSON; dropped');
      void cmd.xack(key, GROUP, id).catch(() => undefined);
      return;
    }
    const deferrals = deferralsAt >= 0 ? Number(fields[deferralsAt + 1]) || 0 : 0;
    // The entry id of its first publish orders the upserts of one key; an item back from the delay
    // set has a new id, so it carries its first one along.
    const sequenced: OutboxItem = { ...item, seq: item.seq ?? id };
    inFlight.add(id);
    lanes.push(laneOf(item), () => deliver({ key, id, raw: JSON.stringify(sequenced), item: sequenced, deferrals, returning: deferrals > 0 }).finally(() => inFlight.delete(id)));
  }

  /**
   * Create the consumer group where it is missing. Also after start-up: a stream lost with Redis (a
   * failover to a replica that had not received it, a restart without AOF, a manual DEL) answers every
   * read with NOGROUP until the group exists again. From '0', so whatever was published since is delivered.
   */
  const ensureGroups = async () => {
    for (const key of keys) {
      await opts.redis.xgroup('CREATE', key, GROUP, '0', 'MKSTREAM').catch((e: Error) => {
        if (!/BUSYGROUP/.test(e.message)) throw e;
      });
    }
  };

  const loop = (async () => {
    await ensureGroups().catch((err: Error) => opts.logger.warn({ err: err.message }, 'outbox: could not create the consumer group yet; retrying'));
    let lastClaim = 0;
    while (running) {
      try {
        while (lanes.size >= maxInFlight && running) await lanes.next();
        for (const delay of delays.values()) await delay.pump(Date.now());
        forgetPast(parkedUntil);
        if (Date.now() - lastClaim > claimIdleMs / 2) {
          lastClaim = Date.now();
          for (const key of keys) await reclaim(key);
        }
        const res = (await opts.redis.xreadgroup('GROUP', GROUP, opts.consumer, 'COUNT', 50, 'BLOCK', 500, 'STREAMS', ...keys, ...keys.map(() => '>'))) as Array<[string, Array<[string, string[]]>]> | null;
        for (const [key, entries] of res ?? []) for (const [id, fields] of entries) schedule(key, id, fields);
      } catch (err) {
        if (!running) break;
        if (/NOGROUP/.test((err as Error).message)) {
          opts.logger.warn({ err: (err as Error).message }, 'outbox stream or its consumer group is gone (Redis lost it); creating it again');
          await ensureGroups().catch((e: Error) => opts.logger.warn({ err: e.message }, 'outbox: could not create the consumer group; retrying'));
          continue;
        }
        opts.logger.warn({ err: (err as Error).message }, 'outbox read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();

  async function reclaim(key: string): Promise<void> {
    const res = (await cmd.xautoclaim(key, GROUP, opts.consumer, claimIdleMs, '0', 'COUNT', 50)) as [string, Array<[string, string[]] | null>];
    for (const entry of res[1] ?? []) if (entry) schedule(key, entry[0], entry[1]);
  }

  return {
    async stop() {
      running = false;
      // While Redis is down the blocking read sits in ioredis's offline queue and never settles:
      // give the loop a moment, then go. Nothing is lost — unacknowledged items stay pending in the
      // stream and another replica (or this one restarted) claims them.
      await Promise.race([loop.catch(() => undefined), sleep(STOP_WAIT_MS)]);
      await lanes.drain(5_000);
      cmd.disconnect();
    },
  };
}

/** How long `stop()` waits for the read loop (a blocking read lasts 500 ms when Redis is up). */
const STOP_WAIT_MS = 1_500;

/** How long after its due time a channel still parks newcomers: enough for the pump to bring the parked ones back first. */
const PUMP_GRACE_MS = 1_500;

function laneOf(item: OutboxItem): string {
  return `${item.conversation.platform}:${item.conversation.channelId}`;
}

function forgetPast(parkedUntil: Map<string, number>): void {
  const now = Date.now();
  for (const [lane, until] of parkedUntil) if (now > until + PUMP_GRACE_MS) parkedUntil.delete(lane);
}
