import { errorMessage } from '../../src/errors.ts';
import type { Fleet, FleetNode } from '../../src/fleet/fleet.schema.ts';
import { sweep } from '../../src/health/sweep.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { compareCapacity, versionDrift, type CapacityFacts, type CountDrift, type DriftReport, type NodeDrift } from '../../src/inventory/drift-report.ts';
import type { SshRunner } from '../../src/ports/ssh.port.ts';
import { countsText } from '../../src/provision/plan-summary.ts';
import { planInfra } from '../provision/infra-plan.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import type { DriftDeps } from './drift-deps.ts';

const FACTS_CONCURRENCY = 8;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Host facts from the worker's SSH runner, in the units capacity drift compares. */
function sshFacts(ssh: SshRunner): (node: FleetNode) => Promise<CapacityFacts> {
  return async (node) => {
    const f = await ssh.hostFacts(node);
    return { cpus: f.cpus, memBytes: f.memTotalMiB * MIB, diskBytes: f.diskTotalGiB * GIB, ...(f.nicSpeedMbps ? { nicMbps: f.nicSpeedMbps } : {}) };
  };
}

/** Latest snapshots; nodes never checked or older than two sweep intervals are checked now. */
async function freshSnapshots(deps: WorkerDeps, fleet: Fleet, nodes: FleetNode[]): Promise<Map<string, Snapshot>> {
  const stored = await deps.state.getSnapshots(nodes.map((n) => n.name));
  const now = deps.clock.now();
  const fresh = new Map(stored.filter((s) => now - s.at <= fleet.health.interval * 2).map((s) => [s.node, s]));
  const missing = nodes.filter((n) => !fresh.has(n.name)).map((n) => n.name);
  if (missing.length) {
    const checked = await sweep(fleet, deps.checkerFor, { nodes: missing, concurrency: fleet.health.concurrency, timeoutMs: fleet.health.timeout, now: deps.clock.now });
    await deps.state.putSnapshots(checked);
    for (const s of checked) fresh.set(s.node, s);
  }
  return fresh;
}

/** Run `fn` over `items` with at most `width` in flight. */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

/**
 * Version drift (RPC), capacity drift (SSH facts vs the group's shape) and count drift (Terraform
 * plan not empty) for the environment(s) in scope. A check that cannot run says why in the report.
 */
export async function checkDrift(deps: WorkerDeps, dd: DriftDeps, opts: { env?: string; skipTerraform: boolean; id: string; onLine?: (l: string) => void }): Promise<DriftReport> {
  const fleet = deps.fleet();
  const envs = opts.env ? [opts.env] : Object.keys(fleet.environments);
  const nodes = fleet.nodes.filter((n) => envs.includes(n.env));
  const snaps = await freshSnapshots(deps, fleet, nodes);
  let capacityChecked = 0;
  const gather = dd.hostFacts ?? (deps.ssh ? sshFacts(deps.ssh) : undefined);
  const results = await pool(nodes, FACTS_CONCURRENCY, async (n): Promise<NodeDrift> => {
    const d: NodeDrift = { node: n.name, env: n.env, group: n.group };
    const v = versionDrift(fleet, n, snaps.get(n.name));
    if (v) d.version = v;
    const shape = fleet.groups[n.group]?.shape;
    if (!shape) return d;
    if (!n.ssh) return d;
    if (!gather) {
      d.capacityNote = 'not checked (no SSH facts in this worker)';
      return d;
    }
    try {
      const facts = await gather(n);
      capacityChecked++;
      const found = compareCapacity(shape, facts);
      if (found.length) d.capacity = found;
    } catch (err) {
      d.capacityNote = `facts unavailable: ${errorMessage(err).slice(0, 100)}`;
    }
    return d;
  });
  let count: CountDrift[] = [];
  if (dd.provision && !opts.skipTerraform) {
    const plans = await planInfra(dd.provision, fleet, { ...(opts.env ? { env: opts.env } : {}), id: opts.id, ...(opts.onLine ? { onLine: opts.onLine } : {}) });
    count = plans.map((p) => ({ env: p.env, group: p.group, ...(p.error ? { error: p.error } : {}), ...(p.summary && !p.summary.empty ? { plan: countsText(p.summary) } : {}) }));
  }
  return { envs, nodes: results, count, checked: { version: nodes.length, capacity: capacityChecked, terraform: count.length } };
}
