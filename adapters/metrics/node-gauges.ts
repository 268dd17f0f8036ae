import { Gauge, type Registry } from 'prom-client';
import type { NodeHealth, NodeStatus } from '../../src/health/fleet-health.ts';
import { sameVersion } from '../../src/health/version.ts';
import type { ScrapeFrame } from './scrape-frame.ts';

const NODE_LABELS = ['node', 'group', 'env', 'chain'] as const;
type NodeLabel = (typeof NODE_LABELS)[number];
const STATUSES: readonly NodeStatus[] = ['healthy', 'degraded', 'down', 'unknown'];

interface Row {
  labels: Record<NodeLabel, string>;
  health: NodeHealth;
  /** The group's desired_version. */
  desired: string;
}

/** One value per node, or undefined to leave the node out of that metric. */
type Pick = (row: Row) => number | undefined;

/**
 * The per-node gauges. Each is refilled from the scrape's frame on every scrape (reset first, so a
 * node removed from the fleet disappears); values of an unreachable node's last answer are left out.
 */
export function registerNodeGauges(registry: Registry, frame: () => Promise<ScrapeFrame>): void {
  const reachable = (r: Row) => r.health.snapshot?.reachable === true;
  const simple: Array<[name: string, help: string, pick: Pick]> = [
    ['chainops_node_up', '1 when the latest check reached the node, 0 when it did not; absent before the first check', (r) => (r.health.snapshot ? (reachable(r) ? 1 : 0) : undefined)],
    ['chainops_node_head', 'Head block (slot on Beacon and Solana) the node reported', (r) => (reachable(r) ? r.health.snapshot?.head : undefined)],
    ['chainops_node_lag_blocks', 'Blocks behind the median head of its chain, network and environment', (r) => r.health.lag],
    ['chainops_node_head_age_seconds', 'Age of the head block at scrape time', (r) => (r.health.headAgeMs === undefined ? undefined : r.health.headAgeMs / 1000)],
    ['chainops_node_peers', 'Peers the node reported', (r) => (reachable(r) ? r.health.snapshot?.peers : undefined)],
    ['chainops_node_syncing', '1 while the node reports syncing (or is behind, Solana)', (r) => bool(reachable(r) ? r.health.snapshot?.syncing : undefined)],
    ['chainops_node_version_drift', '1 when the reported version differs from the group desired_version', (r) => drift(r)],
    ['chainops_node_last_check_timestamp_seconds', 'When the latest snapshot was taken (Unix time)', (r) => (r.health.snapshot ? r.health.snapshot.at / 1000 : undefined)],
    ['chainops_node_rpc_latency_seconds', 'Round trip of the latest health check', (r) => (r.health.snapshot ? r.health.snapshot.latencyMs / 1000 : undefined)],
  ];
  for (const [name, help, pick] of simple) {
    const gauge: Gauge<NodeLabel> = new Gauge({
      name,
      help,
      labelNames: NODE_LABELS,
      registers: [registry],
      async collect() {
        const rows = toRows(await frame());
        gauge.reset();
        for (const row of rows) {
          const value = pick(row);
          if (value !== undefined && Number.isFinite(value)) gauge.set(row.labels, value);
        }
      },
    });
  }

  const status: Gauge<NodeLabel | 'status'> = new Gauge({
    name: 'chainops_node_status',
    help: 'Verdict of the node: 1 for its current status (healthy, degraded, down, unknown), 0 for the others',
    labelNames: [...NODE_LABELS, 'status'],
    registers: [registry],
    async collect() {
      const rows = toRows(await frame());
      status.reset();
      for (const row of rows) for (const s of STATUSES) status.set({ ...row.labels, status: s }, row.health.status === s ? 1 : 0);
    },
  });

  const versionInfo: Gauge<NodeLabel | 'version' | 'desired'> = new Gauge({
    name: 'chainops_node_version_info',
    help: 'Always 1: the version a reachable node reports (unknown if it does not) and its group desired_version',
    labelNames: [...NODE_LABELS, 'version', 'desired'],
    registers: [registry],
    async collect() {
      const rows = toRows(await frame());
      versionInfo.reset();
      for (const row of rows) {
        if (reachable(row)) versionInfo.set({ ...row.labels, version: row.health.snapshot?.version ?? 'unknown', desired: row.desired }, 1);
      }
    },
  });
}

function toRows(frame: ScrapeFrame): Row[] {
  return frame.nodes.map((health) => {
    const group = frame.fleet.groups[health.group];
    return {
      health,
      desired: group?.desired_version ?? 'unknown',
      labels: { node: health.node, group: health.group, env: health.env, chain: group?.chain ?? 'unknown' },
    };
  });
}

function bool(v: boolean | undefined): number | undefined {
  return v === undefined ? undefined : v ? 1 : 0;
}

/** Same rule as the fleet health verdict: an unreported version is not drift, so it is left out. */
function drift(row: Row): number | undefined {
  const version = row.health.snapshot?.reachable ? row.health.snapshot.version : undefined;
  return version ? bool(!sameVersion(version, row.desired)) : undefined;
}
