import type { Redis } from 'ioredis';
import type { SweepMember, SweepMembers } from '../../src/ports/sweep-members.port.ts';

/** Heartbeats of dead members are kept this long past their expiry (for a look with redis-cli), then dropped. */
const KEEP_DEAD_MS = 60_000;

/**
 * SweepMembers in one sorted set `<prefix>:members` (member `<joinedAt>.<id>`, score = heartbeat
 * expiry): one key, so it is Cluster-safe under any prefix. Clocks of the worker hosts must agree to
 * well under the heartbeat TTL (NTP).
 */
export class RedisSweepMembers implements SweepMembers {
  readonly #key: string;

  /** `prefix` is a store prefix: `storePrefix(base, 'sweepers')`. */
  constructor(private readonly redis: Redis, prefix: string) {
    this.#key = `${prefix}:members`;
  }

  async beat(member: SweepMember, expiresAt: number): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.#key, expiresAt, encode(member))
      .zremrangebyscore(this.#key, '-inf', expiresAt - KEEP_DEAD_MS * 2)
      .exec();
  }

  async live(at: number, joinedBefore: number): Promise<SweepMember[]> {
    const raw = await this.redis.zrangebyscore(this.#key, `(${at}`, '+inf');
    return raw
      .map(decode)
      .filter((m): m is SweepMember => m !== undefined && m.joinedAt < joinedBefore)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async leave(member: SweepMember): Promise<void> {
    await this.redis.zrem(this.#key, encode(member));
  }
}

function encode(m: SweepMember): string {
  return `${m.joinedAt}.${m.id}`;
}

function decode(raw: string): SweepMember | undefined {
  const dot = raw.indexOf('.');
  const joinedAt = Number(raw.slice(0, dot));
  if (dot < 1 || !Number.isFinite(joinedAt)) return undefined;
  return { joinedAt, id: raw.slice(dot + 1) };
}
