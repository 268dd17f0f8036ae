import type { Redis } from 'ioredis';
import type { FreezeInfo, LockInfo, StateStore } from '../../src/ports/state.port.ts';
import type { ApprovalRequest } from '../../src/approval/approval.ts';
import type { MessageRef } from '../../src/chat/chat-event.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { systemClock, type Clock } from '../../src/ports/clock.port.ts';
import { ChainopsError } from '../../src/errors.ts';
import * as lua from './redis-state.scripts.ts';
import { addKpiPoint, readKpiHistory } from './redis-kpi-history.ts';
import type { KpiHistory, KpiPoint } from '../../src/charts/kpi.types.ts';
import {
  approvalSchema,
  freezeSchema,
  lockSchema,
  messageRefSchema,
  parseStored,
  snapshotSchema,
} from './stored-records.schema.ts';

export interface RedisStateOptions {
  /** Every key lives under `${prefix}:`. */
  prefix: string;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** Snapshots kept per node in its history list. @defaultValue 120 */
  historyLength?: number;
  /** A node's history list expires this long after its last snapshot. @defaultValue 3 600 000 (1 h) */
  historyTtlMs?: number;
  /** An approval is kept this long after it expires (for audit and late clicks). @defaultValue 7 days */
  approvalRetentionMs?: number;
  /** How long a message ref is remembered. @defaultValue 30 days */
  messageRefTtlMs?: number;
  /** KPI history (charts) keeps one point per this bucket, 24 h long: pass the sweep interval. @defaultValue 30 000 ms */
  kpiBucketMs?: number;
}

const DAY = 86_400_000;

/** Snapshots per MULTI in `putSnapshots`. */
const PUT_CHUNK = 1_000;

/** StateStore on Redis. It does not own the connection: the caller closes it. */
export class RedisStateStore implements StateStore, KpiHistory {
  readonly #r: Redis;
  readonly #p: string;
  readonly #clock: Clock;
  readonly #historyLength: number;
  readonly #historyTtlMs: number;
  readonly #approvalRetentionMs: number;
  readonly #messageRefTtlMs: number;
  readonly #kpiBucketMs: number;

  /** Wrap a connection (`createRedis(url, 'state')`) with the options above. */
  constructor(redis: Redis, opts: RedisStateOptions) {
    this.#r = redis;
    this.#p = opts.prefix;
    this.#clock = opts.clock ?? systemClock;
    this.#historyLength = opts.historyLength ?? 120;
    this.#historyTtlMs = opts.historyTtlMs ?? 3_600_000;
    this.#approvalRetentionMs = opts.approvalRetentionMs ?? 7 * DAY;
    this.#messageRefTtlMs = opts.messageRefTtlMs ?? 30 * DAY;
    this.#kpiBucketMs = Math.max(1_000, opts.kpiBucketMs ?? 30_000);
  }

  #k(...parts: string[]): string {
    return [this.#p, ...parts].join(':');
  }

  async putSnapshots(snapshots: Snapshot[]): Promise<void> {
    // In chunks: one MULTI of a 100 000-node sweep held ~10⁶ queued commands and their JSON at once
    // (GBs of RSS). Each node's writes stay in one MULTI; nodes need not land together.
    for (let i = 0; i < snapshots.length; i += PUT_CHUNK) await this.#putChunk(snapshots.slice(i, i + PUT_CHUNK));
  }

  async #putChunk(snapshots: Snapshot[]): Promise<void> {
    const tx = this.#r.multi();
    for (const s of snapshots) {
      const json = JSON.stringify(s);
      const hist = this.#k('snap', 'hist', s.node);
      tx.hset(this.#k('snap', 'latest'), s.node, json);
      tx.lpush(hist, json);
      tx.ltrim(hist, 0, this.#historyLength - 1);
      tx.pexpire(hist, this.#historyTtlMs);
      addKpiPoint(tx, this.#k('kpi', s.node), s, this.#kpiBucketMs);
    }
    await tx.exec();
  }

  async getSnapshots(nodes?: string[]): Promise<Snapshot[]> {
    const key = this.#k('snap', 'latest');
    if (nodes) {
      if (nodes.length === 0) return [];
      const raws = await this.#r.hmget(key, ...nodes);
      return raws.flatMap((raw, i) => (raw === null ? [] : [parseStored(snapshotSchema, raw, `${key}/${nodes[i]}`)]));
    }
    const all = await this.#r.hgetall(key);
    return Object.keys(all)
      .sort()
      .map((node) => parseStored(snapshotSchema, all[node] as string, `${key}/${node}`));
  }

  /** Recent snapshots of one node, newest first (not part of the port: for charts and `status --history`). */
  async getSnapshotHistory(node: string, limit = this.#historyLength): Promise<Snapshot[]> {
    const key = this.#k('snap', 'hist', node);
    const raws = await this.#r.lrange(key, 0, Math.max(0, limit - 1));
    return raws.map((raw) => parseStored(snapshotSchema, raw, key));
  }

  /** KPI points of one node for charts (24 h, one per sweep interval), oldest first. */
  kpiHistory(node: string, from: number, to: number): Promise<KpiPoint[]> {
    return readKpiHistory(this.#r, this.#k('kpi', node), from, to);
  }

  #approvalExpireAt(req: ApprovalRequest): number {
    return Math.max(req.expiresAt, this.#clock.now()) + this.#approvalRetentionMs;
  }

  async createApproval(request: ApprovalRequest): Promise<void> {
    const created = await this.#r.eval(
      lua.CREATE_APPROVAL, 2, this.#k('approval', request.id), this.#k('approvals'),
      request.id, request.rev, JSON.stringify(request), this.#approvalExpireAt(request), request.createdAt,
    );
    if (created !== 1) throw new ChainopsError('conflict', `approval ${request.id} already exists — use a new id`);
  }

  async getApproval(id: string): Promise<ApprovalRequest | undefined> {
    const key = this.#k('approval', id);
    const raw = await this.#r.hget(key, 'json');
    return raw === null ? undefined : parseStored(approvalSchema, raw, key);
  }

  async saveApproval(request: ApprovalRequest, expectedRev: number): Promise<boolean> {
    const next: ApprovalRequest = { ...request, rev: expectedRev + 1 };
    const saved = await this.#r.eval(
      lua.SAVE_APPROVAL, 1, this.#k('approval', request.id),
      expectedRev, next.rev, JSON.stringify(next), this.#approvalExpireAt(next),
    );
    return saved === 1;
  }

  /** Oldest first. Ids whose record has expired are dropped from the index on the way. */
  async listApprovals(status?: ApprovalRequest['status']): Promise<ApprovalRequest[]> {
    const index = this.#k('approvals');
    const ids = await this.#r.zrange(index, 0, '-1');
    if (ids.length === 0) return [];
    const pipe = this.#r.pipeline();
    for (const id of ids) pipe.hget(this.#k('approval', id), 'json');
    const results = (await pipe.exec()) ?? [];
    const out: ApprovalRequest[] = [];
    const gone: string[] = [];
    results.forEach(([err, raw], i) => {
      const id = ids[i] as string;
      if (err) throw err;
      if (typeof raw !== 'string') gone.push(id);
      else out.push(parseStored(approvalSchema, raw, this.#k('approval', id)));
    });
    if (gone.length) await this.#r.zrem(index, ...gone);
    return status ? out.filter((a) => a.status === status) : out;
  }

  /** Same holder taking the lock again just extends it: a retried job resumes under its own lock. */
  async acquireLock(
    key: string, holder: string, purpose: string, ttlMs: number,
  ): Promise<{ ok: true } | { ok: false; current: LockInfo }> {
    const now = this.#clock.now();
    const current = await this.#r.eval(
      lua.ACQUIRE_LOCK, 2, this.#k('lock', key), this.#k('locks'),
      holder, key, purpose, now, now + ttlMs, ttlMs,
    );
    if (current === null) return { ok: true };
    return { ok: false, current: this.#parseLock(current as string[], key) };
  }

  async renewLock(key: string, holder: string, ttlMs: number): Promise<boolean> {
    const res = await this.#r.eval(lua.RENEW_LOCK, 1, this.#k('lock', key), holder, ttlMs, this.#clock.now() + ttlMs);
    return res === 1;
  }

  async releaseLock(key: string, holder: string): Promise<boolean> {
    const res = await this.#r.eval(lua.RELEASE_LOCK, 3, this.#k('lock', key), this.#k('locks'), this.#k('fence', key), holder, key);
    return res === 1;
  }

  async acquireFenced(
    key: string, holder: string, purpose: string, ttlMs: number,
  ): Promise<{ ok: true; token: number } | { ok: false; current: LockInfo }> {
    const now = this.#clock.now();
    const [ok, value] = (await this.#r.eval(
      lua.ACQUIRE_FENCED, 3, this.#k('lock', key), this.#k('locks'), this.#k('fence', key),
      holder, key, purpose, now, now + ttlMs, ttlMs,
    )) as [number, number | string[]];
    if (ok === 1) return { ok: true, token: Number(value) };
    return { ok: false, current: this.#parseLock(value as string[], key) };
  }

  async renewFenced(key: string, holder: string, token: number, purpose: string, ttlMs: number): Promise<boolean> {
    const res = await this.#r.eval(
      lua.RENEW_FENCED, 3, this.#k('lock', key), this.#k('locks'), this.#k('fence', key),
      holder, token, key, purpose, ttlMs, this.#clock.now(),
    );
    return res === 1;
  }

  async queueForLock(key: string, holder: string, ttlMs: number): Promise<number> {
    return Number(await this.#r.eval(lua.QUEUE_FOR_LOCK, 2, this.#k('lockq', key), this.#k('lockq-seen', key), holder, this.#clock.now(), ttlMs));
  }

  async leaveLockQueue(key: string, holder: string): Promise<void> {
    await this.#r.multi().zrem(this.#k('lockq', key), holder).hdel(this.#k('lockq-seen', key), holder).exec();
  }

  async forceReleaseLock(key: string): Promise<boolean> {
    return (await this.#r.eval(lua.FORCE_RELEASE_LOCK, 3, this.#k('lock', key), this.#k('locks'), this.#k('fence', key), key)) === 1;
  }

  async getLock(key: string): Promise<LockInfo | undefined> {
    const flat = await this.#r.hgetall(this.#k('lock', key));
    return Object.keys(flat).length === 0 ? undefined : this.#parseLock(flat, key);
  }

  /** Sorted by key. Index entries of expired locks are pruned on the way. */
  async listLocks(): Promise<LockInfo[]> {
    const index = this.#k('locks');
    const keys = (await this.#r.smembers(index)).sort();
    if (keys.length === 0) return [];
    const pipe = this.#r.pipeline();
    for (const key of keys) pipe.hgetall(this.#k('lock', key));
    const results = (await pipe.exec()) ?? [];
    const out: LockInfo[] = [];
    const gone: string[] = [];
    results.forEach(([err, flat], i) => {
      const key = keys[i] as string;
      if (err) throw err;
      const obj = flat as Record<string, string>;
      if (Object.keys(obj).length === 0) gone.push(key);
      else out.push(this.#parseLock(obj, key));
    });
    if (gone.length) await this.#r.srem(index, ...gone);
    return out;
  }

  /** Accepts HGETALL as an object (ioredis) or a flat array (Lua reply). */
  #parseLock(raw: Record<string, string> | string[], key: string): LockInfo {
    const obj: Record<string, string> = {};
    if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) obj[raw[i] as string] = raw[i + 1] as string;
    else Object.assign(obj, raw);
    const value = { ...obj, acquiredAt: Number(obj.acquiredAt), expiresAt: Number(obj.expiresAt), ...(obj.token ? { token: Number(obj.token) } : {}) };
    return parseStored(lockSchema, JSON.stringify(value), this.#k('lock', key));
  }

  async setFreeze(info: FreezeInfo): Promise<void> {
    await this.#r.hset(this.#k('freezes'), info.env, JSON.stringify(info));
  }

  async clearFreeze(env: string): Promise<boolean> {
    return (await this.#r.hdel(this.#k('freezes'), env)) === 1;
  }

  async getFreeze(env: string): Promise<FreezeInfo | undefined> {
    const raw = await this.#r.hget(this.#k('freezes'), env);
    return raw === null ? undefined : parseStored(freezeSchema, raw, `${this.#k('freezes')}/${env}`);
  }

  async setMessageRef(key: string, ref: MessageRef): Promise<void> {
    await this.#r.set(this.#k('msg', key), JSON.stringify(ref), 'PX', this.#messageRefTtlMs);
  }

  async getMessageRef(key: string): Promise<MessageRef | undefined> {
    const k = this.#k('msg', key);
    const raw = await this.#r.get(k);
    return raw === null ? undefined : parseStored(messageRefSchema, raw, k);
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#r.set(this.#k('once', key), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}
