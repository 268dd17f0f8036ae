import type { Redis } from 'ioredis';
import type { Platform } from '../../src/chat/chat-event.ts';
import type { Outbox, OutboxItem } from '../../src/ports/outbox.port.ts';
import type { Logger } from '../../src/pipeline/deps.ts';

const GROUP = 'bots';
const MAXLEN = 100_000;

/**
 * Outbox on Redis streams, one per platform, so a worker's progress reaches whichever bot replica
 * holds that platform's connection. A consumer group gives each item to one replica; an item is
 * acknowledged only after delivery, and items left pending by a dead replica are claimed again.
 */
export class RedisOutbox implements Outbox {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  streamKey(platform: Platform): string {
    return `${this.prefix}:outbox:${platform}`;
  }

  async publish(item: OutboxItem): Promise<void> {
    await this.redis.xadd(this.streamKey(item.conversation.platform), 'MAXLEN', '~', String(MAXLEN), '*', 'item', JSON.stringify(item));
  }
}

export interface OutboxConsumerOptions {
  /** A dedicated connection: XREADGROUP BLOCK holds it. */
  redis: Redis;
  prefix: string;
  platforms: Platform[];
  consumer: string;
  deliver: (item: OutboxItem) => Promise<void>;
  logger: Logger;
  /** Reclaim items another replica left pending this long; default 30 s. */
  claimIdleMs?: number;
}

/** Consume the outbox streams of these platforms until `stop()`. */
export function startOutboxConsumer(opts: OutboxConsumerOptions): { stop(): Promise<void> } {
  const keys = opts.platforms.map((p) => `${opts.prefix}:outbox:${p}`);
  let running = true;
  const loop = (async () => {
    for (const key of keys) {
      await opts.redis.xgroup('CREATE', key, GROUP, '0', 'MKSTREAM').catch((e: Error) => {
        if (!/BUSYGROUP/.test(e.message)) throw e;
      });
    }
    let lastClaim = 0;
    while (running) {
      try {
        if (Date.now() - lastClaim > (opts.claimIdleMs ?? 30_000) / 2) {
          lastClaim = Date.now();
          for (const key of keys) await reclaim(opts, key);
        }
        const res = (await opts.redis.xreadgroup('GROUP', GROUP, opts.consumer, 'COUNT', 50, 'BLOCK', 500, 'STREAMS', ...keys, ...keys.map(() => '>'))) as Array<[string, Array<[string, string[]]>]> | null;
        for (const [key, entries] of res ?? []) for (const [id, fields] of entries) await handle(opts, key, id, fields);
      } catch (err) {
        if (!running) break;
        opts.logger.warn({ err: (err as Error).message }, 'outbox read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => undefined);
    },
  };
}

async function reclaim(opts: OutboxConsumerOptions, key: string): Promise<void> {
  const res = (await opts.redis.xautoclaim(key, GROUP, opts.consumer, opts.claimIdleMs ?? 30_000, '0', 'COUNT', 50)) as [string, Array<[string, string[]] | null>];
  for (const entry of res[1] ?? []) if (entry) await handle(opts, key, entry[0], entry[1]);
}

async function handle(opts: OutboxConsumerOptions, key: string, id: string, fields: string[]): Promise<void> {
  const raw = fields[fields.indexOf('item') + 1];
  try {
    if (raw) await opts.deliver(JSON.parse(raw) as OutboxItem);
  } catch (err) {
    // A message that cannot be delivered (deleted channel, bad ref) is logged and dropped, never retried forever.
    opts.logger.warn({ err: (err as Error).message, id }, 'outbox item not delivered');
  }
  await opts.redis.xack(key, GROUP, id);
}
