import { createHash } from 'node:crypto';
import type { Fleet, FleetNode } from '../fleet/fleet.schema.ts';
import type { Snapshot } from '../health/snapshot.ts';
import { sameVersion } from '../health/version.ts';
import type { HostFacts } from '../ports/ssh.port.ts';

/** Host capacity as gathered over SSH (any field the host did not report is left out). */
export interface CapacityFacts {
  cpus?: number;
  memBytes?: number;
  /** Size of the data disk (the filesystem the node's data lives on). */
  diskBytes?: number;
  /** NIC link speed, where the OS reports it. */
  nicMbps?: number;
}

export interface CapacityFinding {
  what: 'cpu' | 'ram' | 'disk' | 'nic';
  actual: string;
  expected: string;
}

export interface NodeDrift {
  node: string;
  env: string;
  group: string;
  /** Running vs desired version, when they differ or the node did not answer. */
  version?: { running?: string; desired: string; why?: string };
  capacity?: CapacityFinding[];
  /** Why capacity was not checked (no ssh, facts unavailable) — shown, not counted as drift. */
  capacityNote?: string;
}

/** Terraform's view of a group: a non-empty plan means the count (or the instances) drifted. */
export interface CountDrift {
  env: string;
  group: string;
  plan?: string;
  error?: string;
}

export interface DriftReport {
  envs: string[];
  nodes: NodeDrift[];
  count: CountDrift[];
  /** How many nodes / groups each check covered. */
  checked: { version: number; capacity: number; terraform: number };
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** Host facts as the SSH runner reports them, in the units capacity drift compares. */
export function capacityOf(f: HostFacts): CapacityFacts {
  return { cpus: f.cpus, memBytes: f.memTotalMiB * MIB, diskBytes: f.diskTotalGiB * GIB, ...(f.nicSpeedMbps ? { nicMbps: f.nicSpeedMbps } : {}) };
}
/** Memory and disk are reported a little under their nominal size (kernel, filesystem overhead). */
const TOLERANCE = 0.1;

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

/** Where facts differ from the group's shape: CPU count exactly, RAM and disk within 10 %, NIC speed exactly when reported. */
export function compareCapacity(shape: NonNullable<Fleet['groups'][string]['shape']>, facts: CapacityFacts): CapacityFinding[] {
  const out: CapacityFinding[] = [];
  if (facts.cpus !== undefined && facts.cpus !== shape.cpu) out.push({ what: 'cpu', actual: `${facts.cpus} vCPU`, expected: `${shape.cpu} vCPU` });
  const off = (actual: number, expected: number) => Math.abs(actual - expected) / expected > TOLERANCE;
  if (facts.memBytes !== undefined && off(facts.memBytes / GIB, shape.ram_gib)) out.push({ what: 'ram', actual: gib(facts.memBytes), expected: `${shape.ram_gib} GiB` });
  if (facts.diskBytes !== undefined && off(facts.diskBytes / GIB, shape.disk_gib)) out.push({ what: 'disk', actual: gib(facts.diskBytes), expected: `${shape.disk_gib} GiB` });
  if (facts.nicMbps !== undefined && shape.bandwidth_mbps !== undefined && facts.nicMbps !== shape.bandwidth_mbps) {
    out.push({ what: 'nic', actual: `${facts.nicMbps} Mbit/s`, expected: `${shape.bandwidth_mbps} Mbit/s` });
  }
  return out;
}

/** Version drift of one node from its latest snapshot; undefined when it runs the desired version. */
export function versionDrift(fleet: Fleet, node: FleetNode, snap: Snapshot | undefined): NodeDrift['version'] {
  const desired = fleet.groups[node.group]!.desired_version;
  if (!snap) return { desired, why: 'not checked yet' };
  if (!snap.reachable) return { desired, why: `unreachable${snap.error ? `: ${snap.error.slice(0, 80)}` : ''}` };
  if (!snap.version) return { desired, why: 'version not reported' };
  return sameVersion(snap.version, desired) ? undefined : { running: snap.version, desired };
}

/** Drift of any kind in this report (capacity notes alone are not drift). */
export function hasDrift(r: DriftReport): boolean {
  return r.nodes.some((n) => n.version || n.capacity?.length) || r.count.some((c) => c.plan || c.error);
}

/** A digest of the findings (not of when they were made), so an unchanged report is not posted again. */
export function driftDigest(r: DriftReport): string {
  const findings = {
    nodes: r.nodes.filter((n) => n.version || n.capacity?.length).map((n) => ({ n: n.node, v: n.version ? [n.version.running ?? null, n.version.desired, n.version.why ?? null] : null, c: n.capacity ?? [] })),
    count: r.count.map((c) => [c.env, c.group, c.plan ?? null, c.error ? 'error' : null]),
  };
  return createHash('sha256').update(JSON.stringify(findings)).digest('hex');
}

/** What one node's host facts look like to a drift check: the facts, or why there are none. */
export type FactsOf = (node: FleetNode) => { facts?: CapacityFacts; note?: string } | undefined;

/**
 * One drift report from what was observed: snapshots (version), host facts (capacity) and
 * Terraform plans (count). Nodes without `ssh` or groups without `shape` are not capacity-checked.
 */
export function buildDriftReport(fleet: Fleet, envs: string[], snaps: Map<string, Snapshot>, factsOf: FactsOf, count: CountDrift[]): DriftReport {
  const nodes = fleet.nodes.filter((n) => envs.includes(n.env));
  let capacity = 0;
  const out = nodes.map((n): NodeDrift => {
    const d: NodeDrift = { node: n.name, env: n.env, group: n.group };
    const v = versionDrift(fleet, n, snaps.get(n.name));
    if (v) d.version = v;
    const shape = fleet.groups[n.group]?.shape;
    if (!shape || !n.ssh) return d;
    const f = factsOf(n);
    if (!f?.facts) {
      d.capacityNote = f?.note ?? 'host facts not gathered yet';
      return d;
    }
    capacity++;
    const found = compareCapacity(shape, f.facts);
    if (found.length) d.capacity = found;
    return d;
  });
  return { envs, nodes: out, count: count.filter((c) => envs.includes(c.env)), checked: { version: nodes.length, capacity, terraform: count.filter((c) => envs.includes(c.env)).length } };
}
