import { randomBytes } from 'node:crypto';
import { alertOutboxItems, threadItems } from '../../src/alerts/alert-outbox.ts';
import { applyChange } from '../../src/alerts/alert-store.ops.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { evaluate } from '../../src/alerts/evaluate.ts';
import { errorMessage } from '../../src/errors.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import type { FleetDigest } from '../../src/health/fleet-digest.ts';
import { alertThreadMessage, alertTitle } from '../../src/render/alert.message.ts';
import { nodeOfLease } from '../../src/policy/locks.ts';
import type { LockInfo } from '../../src/ports/state.port.ts';
import type { WorkerDeps } from '../worker-deps.ts';

export type AlertDeps = Pick<WorkerDeps, 'state' | 'audit' | 'outbox' | 'clock' | 'logger' | 'alerts' | 'queue'>;

export interface AlertSweepResult {
  /** Another sweep was evaluating at the same moment: this one left it to that one. */
  skipped?: true;
  changed: number;
  conflicts: number;
  firing: number;
  /** Nodes with an alert still confirming (pending) after this evaluation. */
  confirming?: string[];
}

const LOCK = 'alerts:evaluate';

/** How long a partial evaluation waits for another to finish (they take milliseconds to a few seconds). */
const LOCK_WAIT_MS = 20_000;

async function acquireEvaluationLock(deps: AlertDeps, holder: string, waitMs: number): Promise<{ ok: boolean }> {
  const until = Date.now() + waitMs;
  for (;;) {
    const lock = await deps.state.acquireLock(LOCK, holder, 'alert evaluation', 60_000);
    if (lock.ok || Date.now() >= until) return lock;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** 8 base-36 characters. */
function newId(): string {
  return BigInt(`0x${randomBytes(6).toString('hex')}`).toString(36).padStart(8, '0').slice(-8);
}

/**
 * After a sweep: move every alert one step, save each change by compare-and-set, then publish what
 * people should see and queue automatic remediation. One evaluation at a time across all workers
 * (a lease), so two overlapping sweeps never post the same alert twice. A change that lost a race
 * with a click is left for the next sweep.
 */
export async function evaluateAlerts(
  deps: AlertDeps,
  fleet: Fleet,
  snapshots: Snapshot[],
  holder: string,
  only?: ReadonlySet<string>,
  opts: { wide?: boolean; peers?: FleetDigest[] } = {},
): Promise<AlertSweepResult> {
  const alerts = deps.alerts;
  if (!alerts) return { changed: 0, conflicts: 0, firing: 0 };
  // A whole-fleet sweep may leave the work to an overlapping one; a partial one (a recheck, a shard
  // of a sharded sweep) is the only judge of its nodes this round, so it waits its turn.
  const lock = await acquireEvaluationLock(deps, holder, only ? LOCK_WAIT_MS : 0);
  if (!lock.ok) return { skipped: true, changed: 0, conflicts: 0, firing: 0 };
  try {
    const now = deps.clock.now();
    const [active, silences, locks] = await Promise.all([alerts.active(), alerts.silences(), deps.state.listLocks()]);
    const maintenance = nodesInMaintenance(locks, now);
    // A share of a sharded sweep: judge its nodes, with the other shares' digests for the chain-wide parts.
    const health = opts.peers && only ? assessFleet(fleet, snapshots, now, { nodes: only, peers: opts.peers }) : assessFleet(fleet, snapshots, now);
    const changes = evaluate({ fleet, health, now, active, silences, newId, maintenance, ...(only ? { only } : {}), ...(opts.wide ? { wide: true } : {}) });
    let changed = 0;
    let conflicts = 0;
    for (const c of changes) {
      if (!(await applyChange(alerts, c))) {
        conflicts++;
        continue;
      }
      changed++;
      for (const n of c.notices) for (const item of alertOutboxItems(n, now)) await deps.outbox.publish(item);
      const a = c.after;
      if (a && a.state === 'firing' && c.before?.state !== 'firing' && c.before?.state !== 'acknowledged') {
        await deps.audit.append({ at: now, actor: 'system', action: 'alert.fire', detail: `${a.id} ${alertTitle(a)}: ${a.summary}`, outcome: 'ok', ref: a.id });
      }
      if (a && a.state === 'resolved' && c.before?.state !== 'resolved') {
        await deps.audit.append({ at: now, actor: 'system', action: 'alert.resolve', detail: `${a.id} ${alertTitle(a)}: ${a.resolution ?? ''}`, outcome: 'ok', ref: a.id });
      }
      if (a && c.autoRemedy) await queueRemedy(deps, a);
    }
    const after = await alerts.active();
    const confirming = [...new Set(after.filter((a) => a.state === 'pending' && a.scope === 'node' && a.node).map((a) => a.node!))].sort();
    return { changed, conflicts, firing: after.filter((a) => a.state === 'firing').length, ...(confirming.length ? { confirming } : {}) };
  } finally {
    await deps.state.releaseLock(LOCK, holder).catch((err: unknown) => deps.logger.warn({ err: errorMessage(err) }, 'could not release the alert evaluation lock'));
  }
}

/** Nodes a job holds the `node:<name>` lease of (a rollout upgrading them), with the lease's purpose. */
export function nodesInMaintenance(locks: readonly LockInfo[], now: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of locks) {
    const node = nodeOfLease(l.key);
    if (node !== undefined && l.expiresAt > now) out.set(node, l.purpose);
  }
  return out;
}

/** Queue the alert's automatic remediation once (job id per alert); the worker applies the cool-down. */
async function queueRemedy(deps: AlertDeps, a: Alert): Promise<void> {
  if (!deps.queue || !a.remedy || !a.node) return;
  const jobId = `rm-auto-${a.id.slice(3)}`;
  const data = { v: 1, node: a.node, action: a.remedy.action, trigger: 'auto', alertId: a.id, requestedBy: 'system:alerts' };
  try {
    const { created } = await deps.queue.enqueue('remediate', jobId, data);
    if (!created) return;
    await deps.audit.append({ at: deps.clock.now(), actor: 'system', action: 'job.enqueue', detail: `${jobId} auto ${a.remedy.action} on ${a.node} for ${a.id}`, outcome: 'ok', ref: jobId });
    for (const item of threadItems(a, alertThreadMessage(`🤖 Automatic remediation: ${a.remedy.action} on ${a.node} (job ${jobId}); the result follows here.`))) await deps.outbox.publish(item);
  } catch (err) {
    deps.logger.error({ err: errorMessage(err), alert: a.id }, 'could not queue the automatic remediation');
  }
}
