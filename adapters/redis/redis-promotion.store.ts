import type { Redis } from 'ioredis';
import { parseStored } from './parse-stored.ts';
import type { PromotionStore } from '../../src/ports/promotion.port.ts';
import { PROMOTION_TERMINAL, type PromotionControl, type PromotionRecord } from '../../src/promotion/promotion.record.ts';
import { promotionControlSchema, promotionRecordSchema } from './promotion-record.schema.ts';

const DAY = 86_400_000;

/**
 * PromotionStore on Redis, under the rollouts store's hash tag (a promotion is a chain of rollouts):
 * one JSON value per record with a fence, a sorted index, the active id per group, a control key.
 */
export class RedisPromotionStore implements PromotionStore {
  readonly #r: Redis;
  readonly #p: string;
  readonly #ttl: number;

  /** `prefix`: the rollouts store's prefix (`storePrefix(prefix, 'rollouts')`); `retentionMs` @defaultValue 90 days */
  constructor(redis: Redis, opts: { prefix: string; retentionMs?: number }) {
    this.#r = redis;
    this.#p = opts.prefix;
    this.#ttl = opts.retentionMs ?? 90 * DAY;
  }

  #k(...parts: string[]): string {
    return [this.#p, 'promotion', ...parts].join(':');
  }

  async get(id: string): Promise<PromotionRecord | undefined> {
    const raw = await this.#r.get(this.#k(id));
    return raw === null ? undefined : parseStored(promotionRecordSchema, raw, `promotion ${id}`);
  }

  async create(record: PromotionRecord): Promise<{ ok: true } | { ok: false; active: string }> {
    const res = (await this.#r.eval(CREATE, 3, this.#k('active', record.group), this.#k(record.id), this.#k('index'), record.id, JSON.stringify(record), this.#ttl, record.createdAt)) as [number, string];
    return res[0] === 1 ? { ok: true } : { ok: false, active: res[1] };
  }

  async saveFenced(record: PromotionRecord, token: number): Promise<boolean> {
    const terminal = PROMOTION_TERMINAL.has(record.status) ? '1' : '0';
    const res = await this.#r.eval(SAVE_FENCED, 3, this.#k(record.id), this.#k(record.id, 'fence'), this.#k('active', record.group), JSON.stringify(record), token, this.#ttl, terminal, record.id);
    return res === 1;
  }

  async activeId(group: string): Promise<string | undefined> {
    return (await this.#r.get(this.#k('active', group))) ?? undefined;
  }

  async list(limit: number): Promise<PromotionRecord[]> {
    const ids = await this.#r.zrevrange(this.#k('index'), 0, Math.max(0, limit - 1));
    if (ids.length === 0) return [];
    const raws = await this.#r.mget(ids.map((id) => this.#k(id)));
    return raws.flatMap((raw, i) => (raw === null ? [] : [parseStored(promotionRecordSchema, raw, `promotion ${ids[i]}`)]));
  }

  async requestControl(id: string, control: PromotionControl): Promise<void> {
    await this.#r.eval(CONTROL, 1, this.#k(id, 'control'), JSON.stringify(control), this.#ttl);
  }

  async getControl(id: string): Promise<PromotionControl | undefined> {
    const raw = await this.#r.get(this.#k(id, 'control'));
    return raw === null ? undefined : parseStored(promotionControlSchema, raw, `control of ${id}`);
  }
}

/** KEYS: active pointer, record, index. ARGV: id, json, ttlMs, createdAt. Returns {1} or {0, active id}. */
const CREATE = `
local active = redis.call('GET', KEYS[1])
if active then return {0, active} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return {1, ARGV[1]}`;

/**
 * KEYS: record, its fence, the group's active pointer. ARGV: json, token, ttlMs, terminal, id. A write
 * with a smaller token than the largest seen is refused (0): a newer tick owns the promotion.
 */
const SAVE_FENCED = `
local seen = tonumber(redis.call('GET', KEYS[2]) or '0')
local token = tonumber(ARGV[2])
if token < seen then return 0 end
redis.call('SET', KEYS[2], token, 'PX', ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
if ARGV[4] == '1' and redis.call('GET', KEYS[3]) == ARGV[5] then redis.call('DEL', KEYS[3]) end
if ARGV[4] ~= '1' and redis.call('GET', KEYS[3]) == ARGV[5] then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
return 1`;

/** An abort sticks: a later pause or resume does not undo it. */
const CONTROL = `
local cur = redis.call('GET', KEYS[1])
if cur and string.find(cur, '"action":"abort"', 1, true) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

