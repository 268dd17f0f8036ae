import type { Redis } from 'ioredis';
import { parseStored } from './parse-stored.ts';
import type { RolloutStore } from '../../src/ports/rollout.port.ts';
import type { ControlAction, ControlRequest, RolloutRecord } from '../../src/rollout/rollout.record.ts';
import { controlSchema, rolloutRecordSchema } from './rollout-record.schema.ts';

const DAY = 86_400_000;

export interface RedisRolloutOptions {
  prefix: string;
  /** Log lines kept per rollout. @defaultValue 5 000 */
  logLines?: number;
  /** Records, control and logs expire this long after the last write. @defaultValue 30 days */
  retentionMs?: number;
}

/** RolloutStore on Redis: one JSON value per record, a sorted index, a control key and a capped log list. */
export class RedisRolloutStore implements RolloutStore {
  readonly #r: Redis;
  readonly #p: string;
  readonly #logLines: number;
  readonly #ttl: number;

  constructor(redis: Redis, opts: RedisRolloutOptions) {
    this.#r = redis;
    this.#p = opts.prefix;
    this.#logLines = opts.logLines ?? 5_000;
    this.#ttl = opts.retentionMs ?? 30 * DAY;
  }

  #k(...parts: string[]): string {
    return [this.#p, 'rollout', ...parts].join(':');
  }

  async get(id: string): Promise<RolloutRecord | undefined> {
    const raw = await this.#r.get(this.#k(id));
    return raw === null ? undefined : parseStored(rolloutRecordSchema, raw, `rollout ${id}`);
  }

  async save(record: RolloutRecord): Promise<void> {
    await this.#r
      .multi()
      .set(this.#k(record.id), JSON.stringify(record), 'PX', this.#ttl)
      .zadd(this.#k('index'), record.createdAt, record.id)
      .exec();
  }

  async saveFenced(record: RolloutRecord, token: number): Promise<boolean> {
    const res = await this.#r.eval(SAVE_FENCED, 3, this.#k(record.id), this.#k(record.id, 'fence'), this.#k('index'), JSON.stringify(record), token, this.#ttl, record.createdAt, record.id);
    return res === 1;
  }

  async list(limit: number): Promise<RolloutRecord[]> {
    const ids = await this.#r.zrevrange(this.#k('index'), 0, Math.max(0, limit - 1));
    if (ids.length === 0) return [];
    const raws = await this.#r.mget(ids.map((id) => this.#k(id)));
    return raws.flatMap((raw, i) => (raw === null ? [] : [parseStored(rolloutRecordSchema, raw, `rollout ${ids[i]}`)]));
  }

  async requestControl(id: string, action: ControlAction, by: string, at: number): Promise<void> {
    await this.#r.set(this.#k(id, 'control'), JSON.stringify({ action, by, at }), 'PX', this.#ttl);
  }

  async getControl(id: string): Promise<ControlRequest | undefined> {
    const raw = await this.#r.get(this.#k(id, 'control'));
    return raw === null ? undefined : parseStored(controlSchema, raw, `control of ${id}`);
  }

  async appendLog(id: string, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const key = this.#k(id, 'log');
    await this.#r.multi().rpush(key, ...lines).ltrim(key, -this.#logLines, -1).pexpire(key, this.#ttl).exec();
  }

  async tailLog(id: string, limit: number): Promise<string[]> {
    return this.#r.lrange(this.#k(id, 'log'), -limit, -1);
  }
}

/**
 * KEYS: record, its fence, the index. ARGV: json, token, ttlMs, createdAt, id. A write with a smaller
 * token than the largest seen is refused (0): a newer execution owns the rollout.
 */
const SAVE_FENCED = `
local seen = tonumber(redis.call('GET', KEYS[2]) or '0')
local token = tonumber(ARGV[2])
if token < seen then return 0 end
if token > seen then redis.call('SET', KEYS[2], token, 'PX', ARGV[3]) else redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
return 1`;

