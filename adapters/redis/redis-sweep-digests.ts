import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { FleetDigest } from '../../src/health/fleet-digest.ts';
import type { SweepDigests } from '../../src/ports/sweep-digests.port.ts';
import { parseStored } from './stored-records.schema.ts';

const forkViewSchema = z.object({
  currentForkId: z.string(),
  currentDigest: z.string(),
  nextForkId: z.string().optional(),
  nextDigest: z.string().optional(),
  nextActivation: z.number().optional(),
});

const digestSchema = z.object({
  at: z.number(),
  groups: z.array(z.object({
    group: z.string(),
    env: z.string(),
    nodes: z.number(),
    heads: z.array(z.tuple([z.number(), z.number(), z.number()])),
    headAge: z.object({ reporting: z.number(), newestHeadTime: z.number() }),
    clients: z.record(z.string(), z.number()),
    views: z.array(z.object({ view: forkViewSchema, count: z.number() })),
    hashes: z.array(z.object({ hashes: z.array(z.object({ height: z.number(), hash: z.string() })), nodes: z.array(z.string()) })),
  })),
}) satisfies z.ZodType<FleetDigest>;

/**
 * SweepDigests as one string key per member, `<prefix>:digest:<member>`, with a TTL. `prefix` is the
 * sweepers' store prefix (`storePrefix(base, 'sweepers')`), so the keys share one hash tag and one
 * MGET reads them all on a Cluster too.
 */
export class RedisSweepDigests implements SweepDigests {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  #key(member: string): string {
    return `${this.prefix}:digest:${member}`;
  }

  async put(member: string, digest: FleetDigest, ttlMs: number): Promise<void> {
    await this.redis.set(this.#key(member), JSON.stringify(digest), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async get(members: readonly string[]): Promise<Map<string, FleetDigest>> {
    const out = new Map<string, FleetDigest>();
    if (members.length === 0) return out;
    const keys = members.map((m) => this.#key(m));
    const raws = await this.redis.mget(...keys);
    raws.forEach((raw, i) => {
      if (raw !== null) out.set(members[i]!, parseStored(digestSchema, raw, keys[i]!));
    });
    return out;
  }
}
