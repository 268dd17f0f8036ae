import type { Redis } from 'ioredis';
import type { PageClaims } from '../../src/paging/pager.port.ts';

/** How long a sent claim is remembered: longer than any alert stays open in practice. */
const SENT_TTL_SEC = 30 * 86_400;

/** PageClaims on Redis: one key per alert, transition and target under `<prefix>:page:`. */
export class RedisPageClaims implements PageClaims {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  #key(key: string): string {
    return `${this.prefix}:page:${key}`;
  }

  async state(key: string): Promise<'sent' | 'sending' | undefined> {
    const v = await this.redis.get(this.#key(key));
    return v === 'sent' || v === 'sending' ? v : undefined;
  }

  async begin(key: string, holdMs: number): Promise<boolean> {
    return (await this.redis.set(this.#key(key), 'sending', 'PX', holdMs, 'NX')) === 'OK';
  }

  async done(key: string): Promise<void> {
    await this.redis.set(this.#key(key), 'sent', 'EX', SENT_TTL_SEC);
  }

  async abandon(key: string): Promise<void> {
    // Only our own unfinished claim: never a "sent" one.
    await this.redis.eval("if redis.call('GET', KEYS[1]) == 'sending' then return redis.call('DEL', KEYS[1]) end return 0", 1, this.#key(key));
  }
}
