import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { assessFleet, type NodeHealth } from '../../src/health/fleet-health.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import type { QueueName } from '../../src/ports/queue.port.ts';

/** Jobs per queue and BullMQ state (`waiting`, `active`, `completed`, `failed`, `delayed`, …). */
export type JobCounts = Partial<Record<QueueName, Record<string, number>>>;

/** Where the metrics come from; everything is read at scrape time, nothing is pushed. */
export interface MetricsSources {
  /** The fleet as loaded now. */
  fleet: () => Fleet;
  /** Latest snapshot per node (the StateStore's `getSnapshots`). */
  snapshots: () => Promise<Snapshot[]>;
  /** Jobs per queue and state; without it `chainops_jobs` is empty. */
  jobCounts?: () => Promise<JobCounts>;
  /** The active alerts (the AlertStore's `active`); without it every `chainops_alerts` series reads 0. */
  activeAlerts?: () => Promise<ReadonlyArray<AlertCount>>;
  /** Clock for head ages; default `Date.now`. */
  now?: () => number;
  /** Longest wait for one source before the scrape goes on without it; default 3 000 ms. */
  sourceTimeoutMs?: number;
  /** Told when a source fails or times out (the scrape still answers); default: nothing. */
  onSourceError?: (source: SourceName, err: unknown) => void;
}

export type SourceName = 'snapshots' | 'jobs' | 'alerts';

/** The part of an alert the metrics count. */
export interface AlertCount {
  state: string;
  severity: string;
}

/** Everything one scrape shows, read once and shared by every collector of that scrape. */
export interface ScrapeFrame {
  fleet: Fleet;
  /** One verdict per fleet node, in fleet order; empty when the snapshots could not be read. */
  nodes: NodeHealth[];
  jobs?: JobCounts;
  alerts?: ReadonlyArray<AlertCount>;
  /** Per source: 1 read, 0 failed or timed out; a source not configured is left out. */
  up: Partial<Record<SourceName, number>>;
}

/** Reads every source in parallel; a failing or slow source is marked down instead of failing the scrape. */
export async function loadFrame(src: MetricsSources): Promise<ScrapeFrame> {
  const limit = src.sourceTimeoutMs ?? 3_000;
  const fleet = src.fleet();
  const report = src.onSourceError ?? (() => {});
  const [snapshots, jobs, alerts] = await Promise.all([
    guarded(src.snapshots, limit, (err) => report('snapshots', err)),
    src.jobCounts ? guarded(src.jobCounts, limit, (err) => report('jobs', err)) : undefined,
    src.activeAlerts ? guarded(src.activeAlerts, limit, (err) => report('alerts', err)) : undefined,
  ]);
  const up: ScrapeFrame['up'] = { snapshots: snapshots ? 1 : 0 };
  if (src.jobCounts) up.jobs = jobs ? 1 : 0;
  if (src.activeAlerts) up.alerts = alerts ? 1 : 0;
  const nodes = snapshots ? assessFleet(fleet, snapshots.value, (src.now ?? Date.now)()).nodes : [];
  return { fleet, nodes, up, ...(jobs ? { jobs: jobs.value } : {}), ...(alerts ? { alerts: alerts.value } : {}) };
}

async function guarded<T>(read: () => Promise<T>, limitMs: number, report: (err: unknown) => void): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      report(new Error(`no answer within ${limitMs} ms`));
      resolve(undefined);
    }, limitMs);
    timer.unref();
  });
  try {
    return await Promise.race([read().then((value) => ({ value })), late]);
  } catch (err) {
    report(err);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
