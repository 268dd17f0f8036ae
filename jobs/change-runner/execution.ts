import { randomBytes } from 'node:crypto';
import type { FreezeInfo, LockInfo } from '../../src/ports/state.port.ts';
import { assertCurrent, isLease, takeLease, type Lease } from '../lease.ts';
import type { WorkerDeps } from '../worker-deps.ts';

/** What an execution needs of the worker's deps. */
export type ExecutionDeps = Pick<WorkerDeps, 'state' | 'workerId' | 'leaseMs'>;

/** A change refused or stopped because its environment is frozen. */
export class ChangeFrozen extends Error {
  constructor(env: string, freeze: FreezeInfo) {
    super(`${env} is frozen by ${freeze.by} (${freeze.reason}) — nothing more was changed; run it again after \`/chainops unfreeze ${env}\``);
  }
}

/**
 * One execution of a change (rollout, provision, decommission, remediation, `run`): the fenced leases
 * it holds under a holder name unique to this execution — a re-delivered job of the same change is
 * another execution and cannot take what this one holds — and the checks made before every step.
 */
export class ChangeExecution {
  /** `<change id>/<worker>/<random>`: names the change for people, and this execution only. */
  readonly holder: string;
  readonly #deps: ExecutionDeps;
  readonly #env: string;
  readonly #leases = new Set<Lease>();

  constructor(deps: ExecutionDeps, changeId: string, env: string) {
    this.#deps = deps;
    this.#env = env;
    this.holder = `${changeId}/${deps.workerId}/${randomBytes(3).toString('hex')}`;
  }

  /** Take a fenced lease (waiting up to `waitMs`); kept until `release` or `releaseAll`. */
  async take(key: string, purpose: string, opts: {
    waitMs: number; queue?: boolean; ttlMs?: number; sleep?: (ms: number) => Promise<void>;
    onWait?: (current: LockInfo | undefined, place: number) => Promise<void> | void;
  }): Promise<Lease | { current: LockInfo }> {
    const got = await takeLease(this.#deps.state, { key, holder: this.holder, purpose, ttlMs: opts.ttlMs ?? this.#deps.leaseMs, ...opts });
    if (isLease(got)) this.#leases.add(got);
    return got;
  }

  async release(lease: Lease): Promise<void> {
    this.#leases.delete(lease);
    await lease.release();
  }

  async releaseAll(): Promise<void> {
    const all = [...this.#leases];
    this.#leases.clear();
    await Promise.all(all.map((l) => l.release()));
  }

  /** Right before anything touches a node: every lease's token still current, else `LeaseLost`. */
  async beforeStep(): Promise<void> {
    await assertCurrent(this.#leases);
  }

  /** Throw `ChangeFrozen` while the environment is frozen (where a change starts, and before each step). */
  async assertNotFrozen(): Promise<void> {
    const freeze = await this.frozen();
    if (freeze) throw new ChangeFrozen(this.#env, freeze);
  }

  /** The environment's freeze, if one is in force. */
  frozen(): Promise<FreezeInfo | undefined> {
    return this.#deps.state.getFreeze(this.#env);
  }
}
