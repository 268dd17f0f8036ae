import { isAbsolute, resolve } from 'node:path';
import type { UpgradeJob } from '../../src/jobs/job-data.schema.ts';
import type { Fleet, FleetNode } from '../../src/fleet/fleet.schema.ts';
import { errorMessage } from '../../src/errors.ts';
import { lockKey, nodeLeaseKey } from '../../src/policy/locks.ts';
import { batchesOf, TERMINAL, type RolloutNode, type RolloutRecord, type RolloutStatus } from '../../src/rollout/rollout.record.ts';
import type { Severity } from '../../src/chat/message.ts';
import type { JobContext } from '../job-context.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import { ChangeExecution } from '../change-runner/execution.ts';
import { endsForGood } from '../change-runner/final-attempt.ts';
import { isLease, LeaseLost, waitingText, type Lease } from '../lease.ts';
import { runHealthGate } from './health-gate.ts';
import { downElsewhere } from './redundancy.ts';
import { RolloutReport } from './rollout-report.ts';
import { newRolloutRecord } from './rollout-setup.ts';
import { rolloutPlanCheck } from './rollout-plan-check.ts';
import { honourControl } from './rollout-control.ts';
import { reconcileInFlight } from './rollout-reconcile.ts';
import { rolloutDryRun } from './rollout-dry-run.ts';
import { Stop } from './rollout-stop.ts';

/** What an upgrade job returns (stored as the BullMQ job result). */
export interface RolloutOutcome {
  rolloutId: string;
  status: RolloutStatus;
  done: number;
  failed: string[];
  resumed: boolean;
}

/**
 * Runs one execution of a rollout: a fenced lease on the env/group lock and on each node (checked
 * right before each playbook run; every checkpoint fenced), the one resume check (plan hash and
 * approval) on every start, a health gate after each node, pause/abort/freeze at node boundaries, and
 * a recorded terminal state also when attempts run out or a tool is missing.
 */
export class RolloutRun {
  readonly #deps: WorkerDeps;
  readonly #data: UpgradeJob;
  readonly #job: JobContext<unknown>;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #exec: ChangeExecution;
  readonly #report: RolloutReport;
  #rec!: RolloutRecord;
  #fleet!: Fleet;
  #lock?: Lease;

  constructor(deps: WorkerDeps, data: UpgradeJob, job: JobContext<unknown>, sleep?: (ms: number) => Promise<void>) {
    this.#deps = deps;
    this.#data = data;
    this.#job = job;
    this.#sleep = sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#exec = new ChangeExecution(deps, data.rolloutId, data.env);
    this.#report = new RolloutReport(deps, job, () => this.#rec, () => ({ key: lockKey(data.env, data.group), token: this.#lock?.token ?? 0 }));
  }

  async execute(): Promise<RolloutOutcome> {
    this.#fleet = this.#deps.fleet();
    const existing = await this.#deps.rollouts.get(this.#data.rolloutId);
    if (!existing && this.#data.mode === 'retry') throw new Error(`rollout ${this.#data.rolloutId} has no record to retry`);
    if (existing && this.#isDuplicate(existing)) return this.#outcome(existing, false);
    this.#rec = existing ?? await newRolloutRecord(this.#deps, this.#fleet, this.#data, this.#job.id);
    let resumed = false;
    try {
      await this.#takeGroupLock();
      // Another execution of this rollout may have moved it on while this one waited for the lock.
      const latest = await this.#deps.rollouts.get(this.#rec.id);
      if (latest) {
        if (this.#isDuplicate(latest)) return this.#outcome(latest, false);
        this.#rec = latest;
      }
      const check = await rolloutPlanCheck(this.#deps, this.#fleet, this.#rec);
      if (!check.ok) throw new Stop('failed', check.why, 'error');
      resumed = await this.#startOrResume(latest !== undefined);
      await honourControl(this.#deps, this.#rec, this.#exec, this.#report, this.#sleep);
      if (this.#rec.dryRun) await rolloutDryRun(this.#deps, this.#fleet, this.#rec, this.#report, { playbook: this.#playbookPath(), node: (n) => this.#node(n) });
      else await this.#runWaves();
      const failed = this.#rec.nodes.filter((n) => n.state === 'failed');
      if (failed.length) throw new Stop('halted', `${failed.map((n) => n.name).join(', ')} failed`, 'error');
      await this.#end('done', this.#rec.dryRun ? 'dry run: nothing was changed' : undefined, 'ok');
    } catch (err) {
      await this.#stopped(err);
    } finally {
      await this.#exec.releaseAll();
      await this.#report.flush().catch(() => undefined);
    }
    return this.#outcome(this.#rec, resumed);
  }

  /** A finished rollout delivered again repeats nothing; only a retry job reopens a halted or failed one. */
  #isDuplicate(rec: RolloutRecord): boolean {
    const reopen = this.#data.mode === 'retry' && (rec.status === 'halted' || rec.status === 'failed');
    return TERMINAL.has(rec.status) && !reopen;
  }

  /** Reopen a retried rollout, or count a takeover; either way this execution owns it from here. */
  async #startOrResume(existed: boolean): Promise<boolean> {
    const rec = this.#rec;
    let resumed = false;
    if (this.#data.mode === 'retry' && (rec.status === 'halted' || rec.status === 'failed')) {
      const again = rec.nodes.filter((n) => n.state === 'failed');
      for (const n of again) Object.assign(n, { state: 'pending', detail: 'retrying' });
      delete rec.reason;
      delete rec.endedAt;
      await this.#report.note(`Retry requested: ${again.map((n) => n.name).join(', ') || 'no failed node'}`);
    } else if (existed && rec.status !== 'waiting-lock') {
      resumed = true;
      rec.resumes++;
    }
    delete rec.reason;
    rec.owner = this.#deps.workerId;
    rec.status = 'running';
    if (resumed) await reconcileInFlight(this.#deps, this.#fleet, rec, this.#report, (n) => this.#node(n));
    await this.#report.checkpoint();
    return resumed;
  }

  async #takeGroupLock(): Promise<void> {
    const rec = this.#rec;
    const lease = await this.#exec.take(lockKey(rec.env, rec.group), `${rec.kind} ${rec.group} → ${rec.version} (${rec.id}, requested by ${rec.requestedBy})`, {
      waitMs: 3_600_000, sleep: this.#sleep, queue: true,
      onWait: async (current, place) => {
        // Shown while no execution of this rollout has written it yet (token 0 checkpoints only then).
        rec.status = 'waiting-lock';
        rec.reason = waitingText(`${rec.env}/${rec.group}`, current, place);
        await this.#report.checkpoint();
      },
    });
    if (!isLease(lease)) throw new Stop('failed', `${rec.env}/${rec.group} stayed locked by ${lease.current.holder} for an hour — start again when it is free`, 'error');
    this.#lock = lease;
  }

  async #runWaves(): Promise<void> {
    const maxUnavailable = this.#fleet.rollout.max_unavailable;
    for (let w = 0; w < this.#rec.waves.length; w++) {
      const remaining = () => this.#rec.nodes.filter((n) => n.wave === w && n.state !== 'done' && n.state !== 'skipped');
      for (let wave = remaining(); wave.length; wave = remaining()) {
        await honourControl(this.#deps, this.#rec, this.#exec, this.#report, this.#sleep);
        const room = maxUnavailable - (await downElsewhere(this.#fleet, this.#deps.state, this.#rec, wave, this.#deps.clock.now()));
        if (room <= 0) throw new Stop('halted', `other nodes of the redundancy group are down; taking one more down would exceed max_unavailable ${maxUnavailable} — retry when they are back`, 'error');
        const [batch = []] = batchesOf(wave, room);
        await this.#runBatch(batch);
        if (batch.some((n) => n.state === 'failed')) {
          const failed = batch.filter((n) => n.state === 'failed');
          // Say which step failed: the playbook (its task and message) or the health gate after it.
          const step = failed.every((n) => n.detail?.startsWith('gate')) ? 'health gate failed' : failed.some((n) => n.detail?.startsWith('gate')) ? 'playbook or health gate failed' : 'playbook failed';
          throw new Stop('halted', `${step} on ${failed.map((n) => `${n.name} (${n.detail ?? '?'})`).join(', ')}; nodes after it were not touched`, 'error');
        }
      }
    }
  }

  async #runBatch(batch: RolloutNode[]): Promise<void> {
    const leases: Lease[] = [];
    try {
      for (const n of batch) {
        const lease = await this.#exec.take(nodeLeaseKey(n.name), `${this.#rec.id} on ${n.name}`, { waitMs: this.#deps.leaseMs * 4, sleep: this.#sleep });
        if (!isLease(lease)) throw new Stop('halted', `${n.name} is being acted on by ${lease.current.holder} (${lease.current.purpose}); not touching it`, 'error');
        leases.push(lease);
      }
      const toRun = batch.filter((n) => n.state === 'pending' || n.state === 'upgrading' || n.state === 'failed');
      if (toRun.length) await this.#playbook(toRun);
      const exclude = new Set(batch.map((n) => n.name));
      await Promise.all(batch.filter((n) => n.state === 'gating').map((n) => this.#gate(n, exclude)));
      await this.#report.checkpoint();
    } finally {
      await Promise.all(leases.map((l) => this.#exec.release(l)));
    }
  }

  async #playbook(nodes: RolloutNode[]): Promise<void> {
    const now = this.#deps.clock.now();
    await this.#exec.beforeStep();
    for (const n of nodes) Object.assign(n, { state: 'upgrading', startedAt: now, runs: n.runs + 1, detail: undefined });
    await this.#report.checkpoint();
    // Rollbacks may restore different versions per node: one run per version.
    const byVersion = new Map<string, RolloutNode[]>();
    for (const n of nodes) byVersion.set(n.to, [...(byVersion.get(n.to) ?? []), n]);
    for (const [version, group] of byVersion) {
      await this.#exec.beforeStep(); // the token is current right before Ansible touches the nodes
      await this.#report.log(`ansible-playbook on ${group.map((n) => n.name).join(', ')} → ${version}`);
      const result = await this.#deps.playbooks.run({
        fleet: this.#fleet, playbook: this.#playbookPath(), nodes: group.map((n) => this.#node(n.name)),
        extraVars: { chainops_version: version, chainops_rollout: this.#rec.id },
        onLine: (line) => void this.#report.log(line),
        onEvent: (e) => {
          const n = e.host ? group.find((x) => x.name === e.host) : undefined;
          if (n && e.task && (e.event === 'ok' || e.event === 'failed')) n.detail = e.task;
        },
      });
      for (const n of group) {
        const failure = result.failures.find((f) => f.host === n.name);
        if (failure || !result.ok) {
          Object.assign(n, { state: 'failed', endedAt: this.#deps.clock.now(), detail: failure ? `playbook: ${failure.task} — ${failure.msg}`.slice(0, 300) : `playbook exited ${result.rc}` });
          await this.#report.note(`✗ ${n.name}: ${n.detail}`, 'error');
        } else {
          Object.assign(n, { state: 'gating', detail: undefined });
        }
      }
      await this.#report.checkpoint();
    }
  }

  async #gate(n: RolloutNode, exclude: Set<string>): Promise<void> {
    const node = this.#node(n.name);
    n.detail = 'checking';
    const res = await runHealthGate(this.#deps, this.#fleet, node, n.to, { exclude, sleep: this.#sleep });
    if (res.ok) {
      const soak = this.#fleet.rollout.soak;
      if (soak > 0) {
        n.detail = `soaking ${Math.round(soak / 1000)}s`;
        await this.#report.checkpoint();
        await this.#sleep(soak);
      }
      if (res.snapshot) await this.#deps.state.putSnapshots([res.snapshot]);
      Object.assign(n, { state: 'done', endedAt: this.#deps.clock.now(), detail: `healthy ×${this.#fleet.rollout.health_gate.consecutive}, head ${res.snapshot?.head ?? '?'}` });
      await this.#report.log(`gate passed: ${n.name} runs ${n.to} after ${res.checks} checks`);
    } else {
      Object.assign(n, { state: 'failed', endedAt: this.#deps.clock.now(), detail: `gate: ${res.last.reasons.join('; ')}` });
      await this.#report.note(`⚠ Health gate failed on ${n.name} after ${res.checks} checks: ${res.last.reasons.join('; ')}. The rollout is halted; use Rollback, Retry node or Abort.`, 'error');
    }
  }

  /**
   * Every way a run stops: a `Stop` is recorded as its status; a lost lease is recorded as failed
   * unless a newer execution owns the record; an unexpected error on the last attempt (or a missing
   * tool) is recorded as failed, otherwise the job is retried and resumes from the checkpoint.
   */
  async #stopped(err: unknown): Promise<void> {
    try {
      if (err instanceof Stop) return await this.#end(err.status, err.why, err.severity);
      if (err instanceof LeaseLost) return await this.#end('failed', err.message, 'error');
      await this.#report.log(`error: ${errorMessage(err)}`);
      if (!endsForGood(this.#job, err)) {
        await this.#report.flush();
        throw err;
      }
      await this.#end('failed', `${errorMessage(err)} (attempt ${this.#job.attempt} of ${this.#job.attempts ?? 1}; no more retries) — fix it, then \`/chainops rollout retry ${this.#rec.id}\``, 'error');
    } catch (inner) {
      if (!(inner instanceof LeaseLost)) throw inner;
      // A newer execution owns the record: say why this one stopped, in the log only.
      await this.#report.log(`${this.#deps.workerId} stopped: ${inner.message}; a newer run owns ${this.#rec.id}`);
    }
  }

  async #end(status: RolloutStatus, reason: string | undefined, severity: Severity): Promise<void> {
    this.#rec.status = status;
    if (reason) this.#rec.reason = reason;
    else delete this.#rec.reason;
    this.#rec.endedAt = this.#deps.clock.now();
    await this.#report.checkpoint();
    if (this.#rec.kind === 'rollback' && this.#rec.rollbackOf && status === 'done') {
      const orig = await this.#deps.rollouts.get(this.#rec.rollbackOf);
      if (orig) await this.#deps.rollouts.save({ ...orig, status: 'rolled-back', reason: `rolled back by ${this.#rec.id}`, updatedAt: this.#deps.clock.now() });
    }
    await this.#report.note(`${this.#rec.kind === 'rollback' ? 'Rollback' : 'Rollout'} ${this.#rec.id} ${status}${reason ? `: ${reason}` : ''}.`, severity);
    await this.#deps.audit.append({ at: this.#deps.clock.now(), actor: 'system:worker', action: `rollout.${status}`, detail: `${this.#rec.id} ${this.#rec.env}/${this.#rec.group} → ${this.#rec.version}${reason ? `: ${reason}` : ''}`, outcome: status === 'done' ? 'ok' : 'failed', ref: this.#rec.id });
  }

  #node(name: string): FleetNode {
    const node = this.#fleet.nodes.find((n) => n.name === name);
    if (!node) throw new Stop('failed', `node ${name} is no longer in the inventory — stopped before touching it`, 'error');
    return node;
  }

  #playbookPath(): string {
    const playbook = this.#fleet.groups[this.#rec.group]?.playbook;
    if (!playbook) throw new Stop('failed', `group ${this.#rec.group} has no \`playbook:\` in the fleet file — nothing was changed`, 'error');
    return isAbsolute(playbook) ? playbook : resolve(this.#deps.fleetDir, playbook);
  }

  #outcome(rec: RolloutRecord, resumed: boolean): RolloutOutcome {
    return {
      rolloutId: rec.id, status: rec.status, resumed,
      done: rec.nodes.filter((n) => n.state === 'done').length,
      failed: rec.nodes.filter((n) => n.state === 'failed').map((n) => n.name),
    };
  }
}
