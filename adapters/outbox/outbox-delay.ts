import type { Redis } from 'ioredis';

/**
 * Items a chat platform asked us to send later (HTTP 429 / `ratelimited` with a long Retry-After) wait
 * in a sorted set next to their stream, scored by when they are due, and go back into the stream once
 * due. Nothing waits in a process: a replica that dies loses nothing, and no other channel is held up.
 */

/**
 * How long the platform asked us to wait, when `err` (or an error in its `cause` chain) says so: chat
 * ports attach `retryAfterMs` to errors that mean "rate-limited, try again later".
 */
export function retryAfterMsOf(err: unknown): number | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const ms = (e as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return ms;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Due members back into the stream, in score order (then member order), atomically across replicas. */
const PUMP = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local moved = 0
for _, m in ipairs(due) do
  if redis.call('ZREM', KEYS[1], m) == 1 then
    local a = string.find(m, '\\n', 1, true)
    local b = string.find(m, '\\n', a + 1, true)
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'item', string.sub(m, b + 1), 'deferrals', string.sub(m, a + 1, b - 1))
    moved = moved + 1
  end
end
return moved
`;

export class OutboxDelay {
  #seq = 0;

  constructor(
    private readonly redis: Redis,
    readonly delayedKey: string,
    private readonly streamKey: string,
    private readonly maxLen: number,
  ) {}

  /**
   * Park a stream entry until `dueAt` (epoch ms) and acknowledge it, in one transaction, so it is
   * never both pending and parked. Equal due times keep the order in which entries were parked.
   */
  async defer(group: string, entryId: string, raw: string, deferrals: number, dueAt: number): Promise<void> {
    const order = `${Date.now().toString().padStart(15, '0')}-${(++this.#seq).toString().padStart(9, '0')}-${entryId}`;
    await this.redis.multi().zadd(this.delayedKey, dueAt, `${order}\n${deferrals}\n${raw}`).xack(this.streamKey, group, entryId).exec();
  }

  /** Move up to `limit` due entries back into the stream; returns how many moved. */
  async pump(now: number, limit = 100): Promise<number> {
    return Number(await this.redis.eval(PUMP, 2, this.delayedKey, this.streamKey, String(now), String(limit), String(this.maxLen)));
  }

  /** Entries parked now (for tests and metrics). */
  count(): Promise<number> {
    return this.redis.zcard(this.delayedKey);
  }
}
