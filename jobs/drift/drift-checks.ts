import { errorMessage } from '../../src/errors.ts';
import type { Fleet, FleetNode } from '../../src/fleet/fleet.schema.ts';
import { sweep } from '../../src/health/sweep.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { buildDriftReport, capacityOf, type CapacityFacts, type CountDrift, type DriftReport } from '../../src/inventory/drift-report.ts';
import { countsText } from '../../src/provision/plan-summary.ts';
import { planInfra } from '../provision/infra-plan.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import type { DriftDeps } from './drift-deps.ts';

const FACTS_CONCURRENCY = 8;

/** Latest snapshots; nodes never checked or older than two sweep intervals are checked now. */
async function freshSnapshots(deps: WorkerDeps, fleet: Fleet, nodes: FleetNode[]): Promise<Map<string, Snapshot>> {
  const stored = await deps.state.getSnapshots(nodes.map((n) => n.name));
  const now = deps.clock.now();
  const fresh = new Map(stored.filter((s) => now - s.at <= fleet.health.interval * 2).map((s) => [s.node, s]));
  const missing = nodes.filter((n) => !fresh.has(n.name)).map((n) => n.name);
  if (missing.length) {
    const checked = await sweep(fleet, deps.checkerFor, { nodes: missing, concurrency: fleet.health.concurrency, timeoutMs: fleet.health.timeout, now: deps.clock.now });
    // Keep host facts a node had: a fresh RPC check does not gather them.
    const host = new Map(stored.filter((s) => s.host).map((s) => [s.node, s.host!]));
    const merged = checked.map((s) => (host.has(s.node) && !s.host ? { ...s, host: host.get(s.node)! } : s));
    await deps.state.putSnapshots(merged);
    for (const s of merged) fresh.set(s.node, s);
  }
  return fresh;
}

/** Run `fn` over `items` with at most `width` in flight. */
async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/**
 * Version drift (RPC), capacity drift (host facts gathered now over SSH vs the group's shape) and
 * count drift (a fresh Terraform plan per managed group). What it gathers is stored — facts with the
 * node's snapshot, plan results in the plan log — so `/chainops drift` shows it without re-running.
 */
export async function checkDrift(deps: WorkerDeps, dd: DriftDeps, opts: { env?: string; skipTerraform: boolean; id: string; onLine?: (l: string) => void }): Promise<DriftReport> {
  const fleet = deps.fleet();
  const envs = opts.env ? [opts.env] : Object.keys(fleet.environments);
  const nodes = fleet.nodes.filter((n) => envs.includes(n.env));
  const snaps = await freshSnapshots(deps, fleet, nodes);
  const ssh = deps.ssh;
  const facts = new Map<string, { facts?: CapacityFacts; note?: string }>();
  const wanted = nodes.filter((n) => n.ssh && fleet.groups[n.group]?.shape);
  const gathered: Snapshot[] = [];
  await pool(wanted, FACTS_CONCURRENCY, async (n) => {
    try {
      if (dd.hostFacts) facts.set(n.name, { facts: await dd.hostFacts(n) });
      else if (ssh) {
        const f = await ssh.hostFacts(n, { timeoutMs: Math.max(5_000, fleet.health.timeout * 4) });
        facts.set(n.name, { facts: capacityOf(f) });
        const host = { at: deps.clock.now(), facts: f };
        await dd.factsLog?.put(n.name, host);
        const s = snaps.get(n.name);
        if (s) gathered.push({ ...s, host });
      } else facts.set(n.name, { note: 'not checked (this worker has no SSH runner)' });
    } catch (err) {
      facts.set(n.name, { note: `facts unavailable: ${errorMessage(err).slice(0, 100)}` });
      await dd.factsLog?.put(n.name, { at: deps.clock.now(), error: errorMessage(err).slice(0, 200) }).catch(() => undefined);
    }
  });
  if (gathered.length) await deps.state.putSnapshots(gathered);
  let count: CountDrift[] = [];
  if (dd.provision && !opts.skipTerraform) {
    const plans = await planInfra(dd.provision, fleet, { ...(opts.env ? { env: opts.env } : {}), id: opts.id, ...(opts.onLine ? { onLine: opts.onLine } : {}) });
    count = plans.map((p) => ({ env: p.env, group: p.group, ...(p.error ? { error: p.error } : {}), ...(p.summary && !p.summary.empty ? { plan: countsText(p.summary) } : {}) }));
  }
  return buildDriftReport(fleet, envs, snaps, (n) => facts.get(n.name), count);
}
