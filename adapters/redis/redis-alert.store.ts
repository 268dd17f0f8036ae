import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Alert, Silence } from '../../src/alerts/alert.types.ts';
import type { AlertStore } from '../../src/ports/alert.port.ts';
import { systemClock, type Clock } from '../../src/ports/clock.port.ts';
import { messageRefSchema, parseStored } from './stored-records.schema.ts';

export interface RedisAlertStoreOptions {
  /** Every key lives under `${prefix}:`. */
  prefix: string;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** A resolved alert is kept this long (late clicks, `recent`). @defaultValue 7 days */
  resolvedRetentionMs?: number;
  /** Resolved alerts listed in the index. @defaultValue 1000 */
  keepResolved?: number;
}

// Loose on purpose (as the other stored records): a field written by a newer version survives a
// read-modify-write by an older one.
const conversation = messageRefSchema.pick({ platform: true, channelId: true, threadId: true });
const alertSchema = z.looseObject({
  id: z.string(),
  key: z.string(),
  rule: z.string(),
  expr: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  state: z.enum(['pending', 'firing', 'acknowledged', 'resolved']),
  scope: z.enum(['node', 'chain']),
  node: z.string().optional(),
  group: z.string().optional(),
  env: z.string(),
  chain: z.string(),
  network: z.string(),
  summary: z.string(),
  value: z.number().optional(),
  count: z.number(),
  since: z.number(),
  lastSeen: z.number(),
  firedAt: z.number().optional(),
  ack: z.looseObject({ by: z.string(), at: z.number() }).optional(),
  resolvedAt: z.number().optional(),
  resolution: z.string().optional(),
  silence: z.looseObject({ id: z.string(), until: z.number(), by: z.string() }).optional(),
  posted: z.boolean(),
  targets: z.array(conversation),
  lastRemindedAt: z.number().optional(),
  reminders: z.number(),
  actions: z.array(z.string()).optional(),
  remedy: z.looseObject({ action: z.string(), mode: z.enum(['ask', 'auto']) }).optional(),
  rev: z.number().int(),
}) satisfies z.ZodType<Alert>;

const silenceSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(['alert', 'node', 'group', 'rule']),
  match: z.string(),
  label: z.string(),
  by: z.string(),
  reason: z.string().optional(),
  createdAt: z.number(),
  until: z.number(),
}) satisfies z.ZodType<Silence>;

/** KEYS: alert hash, active index. ARGV: id, key, json. 1 when created; 0 when the id or an active key exists. */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'rev', 0, 'json', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return 1`;

/**
 * KEYS: alert hash, active index, resolved zset. ARGV: expectedRev, newRev, json, key, id, resolvedAt
 * (empty unless resolved), retentionMs, keepResolved. 1 when saved, 0 on a conflict.
 */
const SAVE = `
local rev = redis.call('HGET', KEYS[1], 'rev')
if not rev or tonumber(rev) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'json', ARGV[3])
if ARGV[6] ~= '' then
  if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[5] then redis.call('HDEL', KEYS[2], ARGV[4]) end
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[8]) + 1))
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
end
return 1`;

/** KEYS: alert hash, active index. ARGV: expectedRev, key, id. 1 when dropped, 0 on a conflict. */
const DROP = `
local rev = redis.call('HGET', KEYS[1], 'rev')
if not rev or tonumber(rev) ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('HGET', KEYS[2], ARGV[2]) == ARGV[3] then redis.call('HDEL', KEYS[2], ARGV[2]) end
return 1`;

/** AlertStore on Redis; checks and changes are single Lua scripts, safe with many bots and workers. */
export class RedisAlertStore implements AlertStore {
  readonly #r: Redis;
  readonly #p: string;
  readonly #clock: Clock;
  readonly #retentionMs: number;
  readonly #keepResolved: number;

  /** Wrap a connection (`createRedis(url, 'state')`); the caller closes it. */
  constructor(redis: Redis, opts: RedisAlertStoreOptions) {
    this.#r = redis;
    this.#p = opts.prefix;
    this.#clock = opts.clock ?? systemClock;
    this.#retentionMs = opts.resolvedRetentionMs ?? 7 * 86_400_000;
    this.#keepResolved = opts.keepResolved ?? 1_000;
  }

  #k(...parts: string[]): string {
    return [this.#p, ...parts].join(':');
  }

  async active(): Promise<Alert[]> {
    const index = this.#k('alerts', 'active');
    const byKey = await this.#r.hgetall(index);
    const entries = Object.entries(byKey);
    const found = await this.#many(entries.map(([, id]) => id));
    const gone = entries.filter(([, id]) => !found.has(id)).map(([key]) => key);
    if (gone.length) await this.#r.hdel(index, ...gone);
    return [...found.values()];
  }

  async get(id: string): Promise<Alert | undefined> {
    const key = this.#k('alert', id);
    const raw = await this.#r.hget(key, 'json');
    return raw === null ? undefined : this.#parse(raw, key);
  }

  async recent(limit: number): Promise<Alert[]> {
    if (limit <= 0) return [];
    const index = this.#k('alerts', 'resolved');
    const ids = await this.#r.zrevrange(index, 0, limit - 1);
    const found = await this.#many(ids);
    const gone = ids.filter((id) => !found.has(id));
    if (gone.length) await this.#r.zrem(index, ...gone);
    return ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
  }

  async create(alert: Alert): Promise<boolean> {
    const stored: Alert = { ...alert, rev: 0 };
    const res = await this.#r.eval(CREATE, 2, this.#k('alert', alert.id), this.#k('alerts', 'active'), alert.id, alert.key, JSON.stringify(stored));
    return res === 1;
  }

  async save(alert: Alert, expectedRev: number): Promise<boolean> {
    const next: Alert = { ...alert, rev: expectedRev + 1 };
    const resolvedAt = next.state === 'resolved' ? String(next.resolvedAt ?? this.#clock.now()) : '';
    const res = await this.#r.eval(
      SAVE, 3, this.#k('alert', alert.id), this.#k('alerts', 'active'), this.#k('alerts', 'resolved'),
      expectedRev, next.rev, JSON.stringify(next), alert.key, alert.id, resolvedAt, this.#retentionMs, this.#keepResolved,
    );
    return res === 1;
  }

  async drop(id: string, expectedRev: number): Promise<boolean> {
    const current = await this.get(id);
    if (!current) return false;
    const res = await this.#r.eval(DROP, 2, this.#k('alert', id), this.#k('alerts', 'active'), expectedRev, current.key, id);
    return res === 1;
  }

  async addSilence(silence: Silence): Promise<void> {
    await this.#r.hset(this.#k('alerts', 'silences'), silence.id, JSON.stringify(silence));
  }

  /** Oldest first; expired ones are removed on the way. */
  async silences(): Promise<Silence[]> {
    const key = this.#k('alerts', 'silences');
    const all = await this.#r.hgetall(key);
    const now = this.#clock.now();
    const out: Silence[] = [];
    const expired: string[] = [];
    for (const [id, raw] of Object.entries(all)) {
      const s = parseStored(silenceSchema, raw, `${key}/${id}`);
      if (s.until <= now) expired.push(id);
      else out.push(s);
    }
    if (expired.length) await this.#r.hdel(key, ...expired);
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  async removeSilence(id: string): Promise<boolean> {
    return (await this.#r.hdel(this.#k('alerts', 'silences'), id)) === 1;
  }

  async #many(ids: string[]): Promise<Map<string, Alert>> {
    const out = new Map<string, Alert>();
    if (ids.length === 0) return out;
    const pipe = this.#r.pipeline();
    for (const id of ids) pipe.hget(this.#k('alert', id), 'json');
    const results = (await pipe.exec()) ?? [];
    results.forEach(([err, raw], i) => {
      if (err) throw err;
      const id = ids[i]!;
      if (typeof raw === 'string') out.set(id, this.#parse(raw, this.#k('alert', id)));
    });
    return out;
  }

  #parse(raw: string, key: string): Alert {
    return parseStored(alertSchema, raw, key);
  }
}
