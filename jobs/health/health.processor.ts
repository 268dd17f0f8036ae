import { createHash } from 'node:crypto';
import { errorMessage } from '../../src/errors.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { healthJob } from '../../src/jobs/job-data.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import { sweep } from '../../src/health/sweep.ts';
import { nodesMessage } from '../../src/render/status.message.ts';
import type { JobContext } from '../job-context.ts';
import { parseJobData } from '../parse-job-data.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import { evaluateAlerts, nodesInMaintenance, type AlertSweepResult } from './alert-evaluation.ts';
import { digestOf, type FleetDigest } from '../../src/health/fleet-digest.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import type { SweepDigests } from '../../src/ports/sweep-digests.port.ts';
import { carryHostFacts, gatherHostFactsStep } from './host-facts.step.ts';

/** Rechecks in a row before a still-confirming alert waits for the sweeps again. */
const MAX_RECHECKS = 10;

/**
 * Nodes whose alerts are still confirming are checked again after `health.recheck` rather than at the
 * next sweep, so an alert that needs K results in a row fires about one interval (plus K−1 rechecks)
 * after the fault instead of K intervals. Off when the recheck is 0 or not sooner than the next sweep.
 */
async function scheduleRecheck(deps: HealthDeps, fleet: Fleet, jobId: string, nodes: string[], round: number): Promise<void> {
  const delayMs = fleet.health.recheck;
  if (!deps.queue || delayMs <= 0 || delayMs >= fleet.health.interval || round >= MAX_RECHECKS) return;
  const id = `rc-${createHash('sha256').update(jobId).digest('hex').slice(0, 16)}`;
  try {
    await deps.queue.enqueue('health', id, { v: 1, kind: 'sweep', nodes, recheck: round + 1 }, { delayMs });
  } catch (err) {
    // The next sweep checks them anyway.
    deps.logger.warn({ err: errorMessage(err), nodes }, 'could not queue the recheck of nodes with confirming alerts');
  }
}

/** What the health processor uses of the worker's dependencies. */
export type HealthDeps = Pick<WorkerDeps, 'fleet' | 'checkerFor' | 'state' | 'audit' | 'outbox' | 'clock' | 'logger' | 'alerts' | 'ssh' | 'queue'>;

/**
 * Health jobs. `sweep` (scheduled) and `check` (asked for from chat): check the nodes over RPC with
 * bounded concurrency, store the snapshots (latest and short history), report to chat when asked
 * from a conversation; after a sweep, evaluate the alert rules. `host`: gather host facts over SSH
 * on their own slower schedule.
 */
/** One worker's part in a sharded sweep round (jobs/health/sharded-sweeper.ts). */
export interface ShareRound {
  /** This worker's member id. */
  me: string;
  /** The round's members (this one included): whose digests to read. */
  members: readonly string[];
  digests: SweepDigests;
}

export function healthProcessor(deps: HealthDeps, opts: { wide?: boolean; share?: ShareRound } = {}) {
  return async (job: JobContext<unknown>) => {
    const data = parseJobData(healthJob, job.data, job.id);
    if (data.kind === 'host') return { host: await gatherHostFactsStep(deps, data.nodes) };
    const fleet = deps.fleet();
    let snapshots = await sweep(fleet, deps.checkerFor, {
      concurrency: fleet.health.concurrency,
      timeoutMs: fleet.health.timeout,
      now: () => deps.clock.now(),
      ...(data.nodes ? { nodes: data.nodes } : {}),
    });
    // Host facts come on a slower schedule: keep each node's last ones with its new snapshot.
    if (fleet.nodes.some((n) => n.ssh)) snapshots = carryHostFacts(snapshots, await deps.state.getSnapshots(snapshots.map((s) => s.node)));
    await deps.state.putSnapshots(snapshots);
    const names = new Set(snapshots.map((s) => s.node));
    // A partial sweep (a share, a recheck) judges only the nodes it checked: judging the whole fleet
    // and filtering cost every share of a k-way sweep a whole-fleet pass (a CPU profile found it).
    const nodes = assessFleet(fleet, snapshots, deps.clock.now(), data.nodes ? { nodes: names } : {}).nodes;
    if (data.report) {
      await deps.outbox.publish({ op: 'upsert', key: data.report.key, conversation: data.report.conversation, message: nodesMessage('Health check', nodes, deps.clock.now()) });
    }
    let alerts: AlertSweepResult | undefined;
    if (data.kind === 'sweep' && deps.alerts) {
      // A partial sweep (a recheck, or one worker's share of a sharded sweep) reads every node's
      // latest (the reference head needs them) but moves only the alerts of the nodes it checked;
      // `wide` (one share per round) also moves the group and chain alerts.
      if (opts.share) {
        // A share judges only its own nodes; what it needs of the rest of the fleet (reference heads,
        // chain-wide verdicts) comes from the other shares' digests, not from every node's snapshot.
        const peers = await exchangeDigests(deps, fleet, opts.share, snapshots);
        alerts = await evaluateAlerts(deps, fleet, snapshots, `health:${job.id}`, data.nodes ? names : undefined, { wide: opts.wide === true, peers });
      } else {
        const all = data.nodes ? await deps.state.getSnapshots() : snapshots;
        alerts = await evaluateAlerts(deps, fleet, all, `health:${job.id}`, data.nodes ? names : undefined, { wide: opts.wide === true });
      }
      if (alerts.confirming) await scheduleRecheck(deps, fleet, job.id, alerts.confirming, data.recheck ?? 0);
    }
    const count = (s: string) => nodes.filter((n) => n.status === s).length;
    return { checked: snapshots.length, healthy: count('healthy'), degraded: count('degraded'), down: count('down'), ...(alerts ? { alerts } : {}) };
  };
}

/**
 * Publish this share's digest and read the other members' (those older than the stale limit are no
 * data, as a stale snapshot is). A digest lives as long as a snapshot stays fresh enough to judge.
 */
async function exchangeDigests(deps: HealthDeps, fleet: Fleet, share: ShareRound, snapshots: Snapshot[]): Promise<FleetDigest[]> {
  const now = deps.clock.now();
  const staleMs = fleet.health.interval * 3;
  const maintenance = nodesInMaintenance(await deps.state.listLocks(), now);
  await share.digests.put(share.me, digestOf(fleet, snapshots, maintenance), staleMs);
  const others = share.members.filter((m) => m !== share.me);
  const got = await share.digests.get(others);
  return [...got.values()].filter((d) => now - d.at <= staleMs);
}
