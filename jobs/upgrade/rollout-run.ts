import { isAbsolute, resolve } from 'node:path';
import type { UpgradeJob } from '../../src/jobs/job-data.schema.ts';
import type { Fleet, FleetNode } from '../../src/fleet/fleet.schema.ts';
import { errorMessage } from '../../src/errors.ts';
import { lockKey, nodeLeaseKey } from '../../src/policy/locks.ts';
import { batchesOf, TERMINAL, type RolloutNode, type RolloutRecord, type RolloutStatus } from '../../src/rollout/rollout.record.ts';
import type { Severity } from '../../src/chat/message.ts';
import type { JobContext } from '../job-context.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import { runHealthGate } from './health-gate.ts';
import { isLease, takeLease, waitingText, type Lease } from '../lease.ts';
import { downElsewhere } from './redundancy.ts';
import { RolloutReport } from './rollout-report.ts';
import { newRolloutRecord, planStillValid } from './rollout-setup.ts';

/** What an upgrade job returns (stored as the BullMQ job result). */
export interface RolloutOutcome {
  rolloutId: string;
  status: RolloutStatus;
  done: number;
  failed: string[];
  resumed: boolean;
}

class Stop extends Error {
  constructor(readonly status: RolloutStatus, readonly why: string, readonly severity: Severity = 'warn') {
    super(why);
  }
}

/**
 * Runs one rollout job: checkpoint after every node, lease on the env/group lock and on each node,
 * a health gate after each node, control requests (pause/resume/abort) at node boundaries.
 */
export class RolloutRun {
  readonly #deps: WorkerDeps;
  readonly #data: UpgradeJob;
  readonly #job: JobContext<unknown>;
  readonly #sleep: (ms: number) => Promise<void>;
  #rec!: RolloutRecord;
  #fleet!: Fleet;
  #lock?: Lease;
  readonly #report: RolloutReport;

  constructor(deps: WorkerDeps, data: UpgradeJob, job: JobContext<unknown>, sleep?: (ms: number) => Promise<void>) {
    this.#deps = deps;
    this.#data = data;
    this.#job = job;
    this.#sleep = sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#report = new RolloutReport(deps, job, () => this.#rec);
  }

  async execute(): Promise<RolloutOutcome> {
    this.#fleet = this.#deps.fleet();
    const existing = await this.#deps.rollouts.get(this.#data.rolloutId);
    let resumed = false;
    if (!existing) {
      if (this.#data.mode === 'retry') throw new Error(`rollout ${this.#data.rolloutId} has no record to retry`);
      const check = this.#data.mode === 'upgrade' ? await planStillValid(this.#deps, this.#fleet, this.#data) : { ok: true as const };
      this.#rec = await newRolloutRecord(this.#deps, this.#fleet, this.#data, this.#job.id);
      if (!check.ok) return this.#finishEarly('failed', `the plan changed since it was approved (${check.why}) — nothing was changed; run the upgrade again to see the new plan`);
    } else {
      this.#rec = existing;
      if (this.#data.mode === 'retry' && (existing.status === 'halted' || existing.status === 'failed')) {
        for (const n of existing.nodes) if (n.state === 'failed') Object.assign(n, { state: 'pending', detail: 'retrying' });
        this.#rec.status = 'running';
        delete this.#rec.reason;
        delete this.#rec.endedAt;
        await this.#report.note(`Retry requested: ${existing.nodes.filter((n) => n.detail === 'retrying').map((n) => n.name).join(', ') || 'no failed node'}`);
      } else if (TERMINAL.has(existing.status)) {
        // A duplicate delivery of a finished rollout: report, repeat nothing.
        return this.#outcome(false);
      } else {
        resumed = true;
        this.#rec.resumes++;
      }
    }
    this.#rec.owner = this.#deps.workerId;
    try {
      await this.#takeGroupLock();
      if (resumed) await this.#reconcileInFlight();
      this.#rec.status = 'running';
      await this.#report.checkpoint();
      if (this.#rec.dryRun) await this.#dryRun();
      else await this.#runWaves();
      const failed = this.#rec.nodes.filter((n) => n.state === 'failed');
      if (failed.length) throw new Stop('halted', `${failed.map((n) => n.name).join(', ')} failed`, 'error');
      await this.#end('done', this.#rec.dryRun ? 'dry run: nothing was changed' : undefined, 'ok');
    } catch (err) {
      if (err instanceof Stop) await this.#end(err.status, err.why, err.severity);
      else {
        // Unexpected (Redis, Ansible missing…): keep the checkpoint as it is and let BullMQ retry the job,
        // which resumes from the checkpoint.
        await this.#report.log(`error: ${errorMessage(err)}`);
        await this.#report.flush();
        throw err;
      }
    } finally {
      await this.#lock?.release();
      await this.#report.flush();
    }
    return this.#outcome(resumed);
  }

  async #takeGroupLock(): Promise<void> {
    const rec = this.#rec;
    const lease = await takeLease(this.#deps.state, {
      key: lockKey(rec.env, rec.group),
      holder: rec.id,
      purpose: `${rec.kind} ${rec.group} → ${rec.version} (${rec.id}, requested by ${rec.requestedBy})`,
      ttlMs: this.#deps.leaseMs,
      waitMs: 3_600_000,
      sleep: this.#sleep,
      queue: true,
      onWait: async (current, place) => {
        rec.status = 'waiting-lock';
        rec.reason = waitingText(`${rec.env}/${rec.group}`, current, place);
        await this.#report.checkpoint();
      },
    });
    if (!isLease(lease)) throw new Stop('failed', `${rec.env}/${rec.group} stayed locked by ${lease.current.holder} for an hour — start again when it is free`, 'error');
    this.#lock = lease;
    delete rec.reason;
  }

  /** After a crash: re-read each in-flight node's real state over RPC before touching it again. */
  async #reconcileInFlight(): Promise<void> {
    for (const n of this.#rec.nodes.filter((x) => x.state === 'upgrading' || x.state === 'gating')) {
      const node = this.#node(n.name);
      const group = this.#fleet.groups[node.group]!;
      const snap = await this.#deps.checkerFor(group.rpc.kind).check(node, group, { timeoutMs: this.#fleet.health.timeout });
      const reports = snap.reachable ? snap.version ?? 'no version' : 'unreachable';
      const onTarget = snap.reachable && snap.version !== undefined && bare(snap.version) === bare(n.to);
      n.state = onTarget ? 'gating' : 'pending';
      n.detail = `resumed: reported ${reports}`;
      await this.#report.note(`Worker ${this.#deps.workerId} took over from the checkpoint; ${n.name} was in flight and reports ${reports} — ${onTarget ? 'gating it again' : 'running its playbook again'}.`, 'warn');
    }
  }

  async #runWaves(): Promise<void> {
    const maxUnavailable = this.#fleet.rollout.max_unavailable;
    for (let w = 0; w < this.#rec.waves.length; w++) {
      const remaining = () => this.#rec.nodes.filter((n) => n.wave === w && n.state !== 'done' && n.state !== 'skipped');
      for (let wave = remaining(); wave.length; wave = remaining()) {
        await this.#honourControl();
        const room = maxUnavailable - (await downElsewhere(this.#fleet, this.#deps.state, this.#rec, wave, this.#deps.clock.now()));
        if (room <= 0) throw new Stop('halted', `other nodes of the redundancy group are down; taking one more down would exceed max_unavailable ${maxUnavailable} — retry when they are back`, 'error');
        const [batch = []] = batchesOf(wave, room);
        if (this.#lock && !this.#lock.held) throw new Stop('failed', 'lost the change lock (was it force-unlocked?) — stopped before the next node', 'error');
        await this.#runBatch(batch);
        if (batch.some((n) => n.state === 'failed')) {
          const failed = batch.filter((n) => n.state === 'failed');
          throw new Stop('halted', `health gate failed on ${failed.map((n) => `${n.name} (${n.detail ?? '?'})`).join(', ')}; nodes after it were not touched`, 'error');
        }
      }
    }
  }

  async #runBatch(batch: RolloutNode[]): Promise<void> {
    const leases: Lease[] = [];
    try {
      for (const n of batch) {
        const lease = await takeLease(this.#deps.state, {
          key: nodeLeaseKey(n.name), holder: this.#deps.workerId, purpose: `${this.#rec.id} on ${n.name}`,
          ttlMs: this.#deps.leaseMs, waitMs: this.#deps.leaseMs * 4, sleep: this.#sleep,
        });
        if (!isLease(lease)) throw new Stop('halted', `${n.name} is being acted on by ${lease.current.holder} (${lease.current.purpose}); not touching it`, 'error');
        leases.push(lease);
      }
      const toRun = batch.filter((n) => n.state === 'pending' || n.state === 'upgrading' || n.state === 'failed');
      if (toRun.length) await this.#playbook(toRun);
      const gating = batch.filter((n) => n.state === 'gating');
      const exclude = new Set(batch.map((n) => n.name));
      await Promise.all(gating.map((n) => this.#gate(n, exclude)));
      await this.#report.checkpoint();
    } finally {
      await Promise.all(leases.map((l) => l.release()));
    }
  }

  async #playbook(nodes: RolloutNode[]): Promise<void> {
    const now = this.#deps.clock.now();
    for (const n of nodes) Object.assign(n, { state: 'upgrading', startedAt: now, runs: n.runs + 1, detail: undefined });
    await this.#report.checkpoint();
    // Rollbacks may restore different versions per node: one run per version.
    const byVersion = new Map<string, RolloutNode[]>();
    for (const n of nodes) byVersion.set(n.to, [...(byVersion.get(n.to) ?? []), n]);
    for (const [version, group] of byVersion) {
      await this.#report.log(`ansible-playbook on ${group.map((n) => n.name).join(', ')} → ${version}`);
      const result = await this.#deps.playbooks.run({
        fleet: this.#fleet,
        playbook: this.#playbookPath(),
        nodes: group.map((n) => this.#node(n.name)),
        extraVars: { chainops_version: version, chainops_rollout: this.#rec.id },
        onLine: (line) => void this.#report.log(line),
        onEvent: (e) => {
          const n = e.host ? group.find((x) => x.name === e.host) : undefined;
          if (n && e.event === 'task_start') return;
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

  async #dryRun(): Promise<void> {
    const nodes = this.#rec.nodes.map((n) => this.#node(n.name));
    const result = await this.#deps.playbooks.run({
      fleet: this.#fleet, playbook: this.#playbookPath(), nodes, check: true,
      extraVars: { chainops_version: this.#rec.version, chainops_rollout: this.#rec.id },
      onLine: (line) => void this.#report.log(line),
    });
    for (const n of this.#rec.nodes) {
      const stats = result.hosts[n.name];
      n.detail = stats ? `would change ${stats.changed} task(s)${stats.failures ? `, ${stats.failures} failed` : ''}` : 'not reached';
    }
    const diff = result.diffs.map((d) => `${d.host} · ${d.task}\n${d.diff}`).join('\n\n') || '(no differences reported)';
    await this.#deps.outbox.publish({ op: 'thread', key: this.#rec.reportKey, conversation: this.#rec.conversation, message: { text: `Dry run diff for ${this.#rec.id}`, blocks: [{ type: 'text', text: `ansible-playbook --check --diff (rc ${result.rc}):` }, { type: 'code', text: diff }] } });
    if (!result.ok) throw new Stop('failed', `check run failed: ${result.failures.map((f) => `${f.host}: ${f.msg}`).join('; ') || `rc ${result.rc}`}`, 'error');
  }

  /** Pause waits here (holding its lock); abort stops before the next node. */
  async #honourControl(): Promise<void> {
    for (;;) {
      const control = await this.#deps.rollouts.getControl(this.#rec.id);
      if (!control || control.at < this.#rec.createdAt || control.action === 'resume') {
        if (this.#rec.status === 'paused') {
          this.#rec.status = 'running';
          delete this.#rec.reason;
          await this.#report.note(`Resumed by ${control?.by ?? '?'}.`);
          await this.#report.checkpoint();
        }
        return;
      }
      if (control.action === 'abort') throw new Stop('aborted', `aborted by ${control.by}`);
      if (this.#rec.status !== 'paused') {
        this.#rec.status = 'paused';
        this.#rec.reason = `paused by ${control.by}`;
        await this.#report.note(`Paused by ${control.by} before the next node.`, 'warn');
        await this.#report.checkpoint();
      }
      await this.#sleep(500);
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

  async #finishEarly(status: RolloutStatus, reason: string): Promise<RolloutOutcome> {
    await this.#end(status, reason, 'error');
    return this.#outcome(false);
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

  #outcome(resumed: boolean): RolloutOutcome {
    return {
      rolloutId: this.#rec.id,
      status: this.#rec.status,
      done: this.#rec.nodes.filter((n) => n.state === 'done').length,
      failed: this.#rec.nodes.filter((n) => n.state === 'failed').map((n) => n.name),
      resumed,
    };
  }
}

function bare(v: string): string {
  return v.replace(/^v/i, '').replace(/\+.*$/, '').toLowerCase();
}
