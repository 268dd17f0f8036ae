import type { MessageRef } from '../chat/chat-event.ts';
import type { ApprovalRequest } from '../approval/approval.ts';
import type { Snapshot } from '../health/snapshot.ts';

export interface LockInfo {
  key: string;
  holder: string;
  /** What holds it, e.g. the job id. */
  purpose: string;
  acquiredAt: number;
  expiresAt: number;
  /** The fencing token of a fenced lease (see `acquireFenced`). */
  token?: number;
}

export interface FreezeInfo {
  env: string;
  by: string;
  reason: string;
  at: number;
}

/** Shared state of the bot and workers (Redis in production, in-memory in unit tests). */
export interface StateStore {
  /** Save the latest snapshot of each node (and append it to the node's short history). */
  putSnapshots(snapshots: Snapshot[]): Promise<void>;
  /** Latest snapshot per node; all nodes when `nodes` is omitted. */
  getSnapshots(nodes?: string[]): Promise<Snapshot[]>;

  /** Create an approval request. */
  createApproval(request: ApprovalRequest): Promise<void>;
  getApproval(id: string): Promise<ApprovalRequest | undefined>;
  /**
   * Save a changed request only if nobody saved it since `expectedRev` was read; returns false on a
   * conflict so the caller re-reads and retries (two approvers clicking at once).
   */
  saveApproval(request: ApprovalRequest, expectedRev: number): Promise<boolean>;
  listApprovals(status?: ApprovalRequest['status']): Promise<ApprovalRequest[]>;

  /** Take a lease-based lock; returns the current holder when someone else has it. */
  acquireLock(key: string, holder: string, purpose: string, ttlMs: number): Promise<{ ok: true } | { ok: false; current: LockInfo }>;
  /** Extend a lease the caller holds; false if it lost the lock. */
  renewLock(key: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLock(key: string, holder: string): Promise<boolean>;
  /**
   * Take a fenced lease: like `acquireLock`, and each fresh acquisition gets the next value of the
   * key's fencing counter (it only grows). The same holder taking it again keeps its token.
   */
  acquireFenced(key: string, holder: string, purpose: string, ttlMs: number): Promise<{ ok: true; token: number } | { ok: false; current: LockInfo }>;
  /**
   * Extend a fenced lease, and answer whether `token` is still current (nobody took, released or
   * force-released the lease since). A lease that only expired, with its token still current, is
   * taken back: a pause of the store longer than the lease does not hand it to anybody.
   */
  renewFenced(key: string, holder: string, token: number, purpose: string, ttlMs: number): Promise<boolean>;
  /** Remove a lock whoever holds it (admin `unlock`); a fenced lease's token stops being current. */
  forceReleaseLock(key: string): Promise<boolean>;
  getLock(key: string): Promise<LockInfo | undefined>;
  listLocks(): Promise<LockInfo[]>;
  /**
   * Stand in line for a lock (jobs that wait for one take it in the order they started waiting):
   * returns the caller's place, 1 being next. A place is kept while its holder calls again within
   * `ttlMs`; a waiter that stopped calling (it died) drops out of the line.
   */
  queueForLock(key: string, holder: string, ttlMs: number): Promise<number>;
  leaveLockQueue(key: string, holder: string): Promise<void>;

  setFreeze(info: FreezeInfo): Promise<void>;
  clearFreeze(env: string): Promise<boolean>;
  getFreeze(env: string): Promise<FreezeInfo | undefined>;

  /** Remember which chat message a job, rollout or alert owns, so it can be edited in place. */
  setMessageRef(key: string, ref: MessageRef): Promise<void>;
  getMessageRef(key: string): Promise<MessageRef | undefined>;

  /** True the first time a key is claimed within `ttlMs` (platform retries, double clicks). */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}
