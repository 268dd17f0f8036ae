import type { FreezeInfo, LockInfo, StateStore } from '../../src/ports/state.port.ts';
import type { ApprovalRequest } from '../../src/approval/approval.ts';
import type { MessageRef } from '../../src/chat/chat-event.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { systemClock, type Clock } from '../../src/ports/clock.port.ts';
import { ChainopsError } from '../../src/errors.ts';

export interface MemoryStateOptions {
  /** Time source for leases, claims and history expiry; tests pass a stepping clock. @defaultValue systemClock */
  clock?: Clock;
  /** Snapshots kept per node. @defaultValue 120 */
  historyLength?: number;
  /** History of a node is dropped this long after its last snapshot. @defaultValue 3 600 000 (1 h) */
  historyTtlMs?: number;
}

// Everything going in or out is cloned: callers must not be able to change stored state by mutating
// an object they passed or got back, exactly as with the Redis store.
const copy = <T>(value: T): T => structuredClone(value);

/** StateStore in process memory, with the same semantics as RedisStateStore (same contract suite). */
export class MemoryStateStore implements StateStore {
  readonly #clock: Clock;
  readonly #historyLength: number;
  readonly #historyTtlMs: number;
  readonly #latest = new Map<string, Snapshot>();
  readonly #history = new Map<string, { items: Snapshot[]; expiresAt: number }>();
  readonly #approvals = new Map<string, ApprovalRequest>();
  readonly #locks = new Map<string, LockInfo>();
  /** Fencing counters per lock key: they only grow and never expire. */
  readonly #fences = new Map<string, number>();
  readonly #freezes = new Map<string, FreezeInfo>();
  readonly #refs = new Map<string, MessageRef>();
  readonly #claims = new Map<string, number>();
  /** Per lock: its waiters, by when they started waiting and until when their place holds. */
  readonly #lockQueues = new Map<string, Map<string, { since: number; until: number }>>();

  /** See {@link MemoryStateOptions} for defaults. */
  constructor(opts: MemoryStateOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.#historyLength = opts.historyLength ?? 120;
    this.#historyTtlMs = opts.historyTtlMs ?? 3_600_000;
  }

  async putSnapshots(snapshots: Snapshot[]): Promise<void> {
    const expiresAt = this.#clock.now() + this.#historyTtlMs;
    for (const s of snapshots) {
      this.#latest.set(s.node, copy(s));
      const hist = this.#liveHistory(s.node);
      hist.unshift(copy(s));
      hist.length = Math.min(hist.length, this.#historyLength);
      this.#history.set(s.node, { items: hist, expiresAt });
    }
  }

  /** Given nodes in the given order (unknown ones skipped), or all nodes sorted by name. */
  async getSnapshots(nodes?: string[]): Promise<Snapshot[]> {
    const names = nodes ?? [...this.#latest.keys()].sort();
    return names.flatMap((n) => {
      const s = this.#latest.get(n);
      return s ? [copy(s)] : [];
    });
  }

  /** Recent snapshots of one node, newest first (mirrors RedisStateStore). */
  async getSnapshotHistory(node: string, limit = this.#historyLength): Promise<Snapshot[]> {
    return this.#liveHistory(node).slice(0, limit).map(copy);
  }

  #liveHistory(node: string): Snapshot[] {
    const h = this.#history.get(node);
    return h && h.expiresAt > this.#clock.now() ? h.items : [];
  }

  async createApproval(request: ApprovalRequest): Promise<void> {
    if (this.#approvals.has(request.id)) {
      throw new ChainopsError('conflict', `approval ${request.id} already exists — use a new id`);
    }
    this.#approvals.set(request.id, copy(request));
  }

  async getApproval(id: string): Promise<ApprovalRequest | undefined> {
    const a = this.#approvals.get(id);
    return a ? copy(a) : undefined;
  }

  /** Compare-and-set on `rev`; stores `rev = expectedRev + 1`. */
  async saveApproval(request: ApprovalRequest, expectedRev: number): Promise<boolean> {
    const cur = this.#approvals.get(request.id);
    if (!cur || cur.rev !== expectedRev) return false;
    this.#approvals.set(request.id, { ...copy(request), rev: expectedRev + 1 });
    return true;
  }

  /** Oldest first (by `createdAt`, then insertion). */
  async listApprovals(status?: ApprovalRequest['status']): Promise<ApprovalRequest[]> {
    return [...this.#approvals.values()]
      .filter((a) => !status || a.status === status)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(copy);
  }

  #liveLock(key: string): LockInfo | undefined {
    const l = this.#locks.get(key);
    if (l && l.expiresAt <= this.#clock.now()) {
      this.#locks.delete(key);
      return undefined;
    }
    return l;
  }

  /** Same holder taking the lock again just extends it (as in RedisStateStore). */
  async acquireLock(
    key: string, holder: string, purpose: string, ttlMs: number,
  ): Promise<{ ok: true } | { ok: false; current: LockInfo }> {
    const cur = this.#liveLock(key);
    if (cur && cur.holder !== holder) return { ok: false, current: copy(cur) };
    const now = this.#clock.now();
    this.#locks.set(key, { key, holder, purpose, acquiredAt: now, expiresAt: now + ttlMs });
    return { ok: true };
  }

  async queueForLock(key: string, holder: string, ttlMs: number): Promise<number> {
    const now = this.#clock.now();
    let line = this.#lockQueues.get(key);
    if (!line) this.#lockQueues.set(key, (line = new Map()));
    const mine = line.get(holder);
    line.set(holder, { since: mine?.since ?? now, until: now + ttlMs });
    for (const [h, w] of line) if (w.until < now) line.delete(h);
    const order = [...line.entries()].sort((a, b) => a[1].since - b[1].since || (a[0] < b[0] ? -1 : 1)).map(([h]) => h);
    return order.indexOf(holder) + 1;
  }

  async leaveLockQueue(key: string, holder: string): Promise<void> {
    this.#lockQueues.get(key)?.delete(holder);
  }

  async renewLock(key: string, holder: string, ttlMs: number): Promise<boolean> {
    const cur = this.#liveLock(key);
    if (!cur || cur.holder !== holder) return false;
    cur.expiresAt = this.#clock.now() + ttlMs;
    return true;
  }

  async releaseLock(key: string, holder: string): Promise<boolean> {
    const cur = this.#liveLock(key);
    if (!cur || cur.holder !== holder) return false;
    if (cur.token !== undefined) this.#bumpFence(key);
    return this.#locks.delete(key);
  }

  async forceReleaseLock(key: string): Promise<boolean> {
    if (this.#liveLock(key) === undefined) return false;
    this.#bumpFence(key);
    return this.#locks.delete(key);
  }

  #bumpFence(key: string): number {
    const next = (this.#fences.get(key) ?? 0) + 1;
    this.#fences.set(key, next);
    return next;
  }

  async acquireFenced(
    key: string, holder: string, purpose: string, ttlMs: number,
  ): Promise<{ ok: true; token: number } | { ok: false; current: LockInfo }> {
    const cur = this.#liveLock(key);
    if (cur && cur.holder !== holder) return { ok: false, current: copy(cur) };
    const now = this.#clock.now();
    if (cur?.token !== undefined) {
      cur.expiresAt = now + ttlMs;
      return { ok: true, token: cur.token };
    }
    const token = this.#bumpFence(key);
    this.#locks.set(key, { key, holder, purpose, acquiredAt: now, expiresAt: now + ttlMs, token });
    return { ok: true, token };
  }

  async renewFenced(key: string, holder: string, token: number, purpose: string, ttlMs: number): Promise<boolean> {
    if ((this.#fences.get(key) ?? 0) !== token) return false;
    const cur = this.#liveLock(key);
    if (cur && cur.holder !== holder) return false;
    const now = this.#clock.now();
    if (cur) cur.expiresAt = now + ttlMs;
    else this.#locks.set(key, { key, holder, purpose, acquiredAt: now, expiresAt: now + ttlMs, token });
    return true;
  }

  async getLock(key: string): Promise<LockInfo | undefined> {
    const l = this.#liveLock(key);
    return l ? copy(l) : undefined;
  }

  /** Sorted by key. */
  async listLocks(): Promise<LockInfo[]> {
    return [...this.#locks.keys()]
      .sort()
      .flatMap((k) => {
        const l = this.#liveLock(k);
        return l ? [copy(l)] : [];
      });
  }

  async setFreeze(info: FreezeInfo): Promise<void> {
    this.#freezes.set(info.env, copy(info));
  }

  async clearFreeze(env: string): Promise<boolean> {
    return this.#freezes.delete(env);
  }

  async getFreeze(env: string): Promise<FreezeInfo | undefined> {
    const f = this.#freezes.get(env);
    return f ? copy(f) : undefined;
  }

  async setMessageRef(key: string, ref: MessageRef): Promise<void> {
    this.#refs.set(key, copy(ref));
  }

  async getMessageRef(key: string): Promise<MessageRef | undefined> {
    const r = this.#refs.get(key);
    return r ? copy(r) : undefined;
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    const until = this.#claims.get(key);
    if (until !== undefined && until > now) return false;
    this.#claims.set(key, now + ttlMs);
    return true;
  }
}
