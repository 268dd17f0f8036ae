import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ReleaseStore } from '../../src/releases/release-store.port.ts';
import type { GroupReleases } from '../../src/releases/release.types.ts';

/** Claims outlive any realistic release cadence; a year later the version is long superseded. */
const CLAIM_TTL_SEC = 365 * 86_400;

const release = z.object({
  version: z.string(), tag: z.string(), name: z.string().optional(), url: z.string().optional(), publishedAt: z.string().optional(),
  prerelease: z.boolean(), security: z.boolean(),
});
const stored = z.object({
  sourceKey: z.string(), releases: z.array(release), etag: z.string().optional(), polledAt: z.number().optional(),
  triedAt: z.number().optional(), retryAt: z.number().optional(), waitingSince: z.number().optional(), error: z.string().optional(),
});

/**
 * ReleaseStore on Redis, every key under the store's own hash tag (`{<prefix>:releases}`):
 * `:group:<g>` the known list as JSON, `:ignored:<g>` a set, `:claim:<g>:<version>` SET NX claims.
 */
export class RedisReleaseStore implements ReleaseStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async get(group: string): Promise<GroupReleases | undefined> {
    const raw = await this.redis.get(`${this.prefix}:group:${group}`);
    if (!raw) return undefined;
    // A record written by another version that no longer reads is treated as never polled.
    const parsed = stored.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as GroupReleases) : undefined;
  }
  async put(group: string, state: GroupReleases): Promise<void> {
    await this.redis.set(`${this.prefix}:group:${group}`, JSON.stringify(state));
  }
  async ignore(group: string, version: string): Promise<boolean> {
    return (await this.redis.sadd(`${this.prefix}:ignored:${group}`, version)) === 1;
  }
  async ignored(group: string): Promise<string[]> {
    return this.redis.smembers(`${this.prefix}:ignored:${group}`);
  }
  async claim(group: string, version: string, mark: 'posted' | 'baseline'): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:claim:${group}:${version}`, mark, 'EX', CLAIM_TTL_SEC, 'NX')) === 'OK';
  }
  async unclaim(group: string, version: string): Promise<void> {
    await this.redis.del(`${this.prefix}:claim:${group}:${version}`);
  }
}
