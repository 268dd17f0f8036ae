import type { Fleet, FleetNode, Thresholds } from '../fleet/fleet.schema.ts';
import type { Snapshot } from './snapshot.ts';
import { sameVersion } from './version.ts';
import { peerGroups, type FleetDigest } from './fleet-digest.ts';

export type NodeStatus = 'healthy' | 'degraded' | 'down' | 'unknown';

/** One node's verdict, with a short reason for every problem found. */
export interface NodeHealth {
  node: string;
  group: string;
  env: string;
  snapshot?: Snapshot;
  /** Reference head of the chain, network and environment: see `referenceHead`. */
  referenceHead?: number;
  /** Blocks behind the reference head (never negative). */
  lag?: number;
  /** Age of the node's head block at `now`, in ms. */
  headAgeMs?: number;
  status: NodeStatus;
  reasons: string[];
}

/** Counts and version spread of one group in one environment. */
export interface GroupHealth {
  group: string;
  env: string;
  chain: string;
  network: string;
  desiredVersion: string;
  total: number;
  healthy: number;
  degraded: number;
  down: number;
  unknown: number;
  /** Reported versions of reachable nodes → how many run each (`unknown` if not reported). */
  versions: Record<string, number>;
  referenceHead?: number;
  maxLag?: number;
}

export interface FleetHealth {
  nodes: NodeHealth[];
  groups: GroupHealth[];
  /**
   * Set when `nodes` is one share of a sharded sweep: the other shares' digests, which the rules that
   * look across a chain (stalled chain, splits, fork views, client mix) add to these nodes.
   */
  peers?: FleetDigest[];
}

/** Options of `assessFleet` for one share of a sharded sweep. */
export interface AssessOptions {
  /** Judge only these nodes (the share); every node when absent. */
  nodes?: ReadonlySet<string>;
  /** The other shares' digests: their heads count towards each reference head. */
  peers?: FleetDigest[];
}

const DEFAULT_THRESHOLDS: Thresholds = { max_lag_blocks: 5, max_head_age: 180_000, min_peers: 3, max_disk_used_pct: 85 };

/** Judges every node of the fleet from its latest snapshot and summarises each group per environment. */
export function assessFleet(fleet: Fleet, snapshots: readonly Snapshot[], now: number, opts: AssessOptions = {}): FleetHealth {
  const latest = latestByNode(snapshots);
  const references = referenceHeads(fleet, latest, now, opts.peers);
  const only = opts.nodes;
  const judged = only ? fleet.nodes.filter((n) => only.has(n.name)) : fleet.nodes;
  const nodes = judged.map((node) => assessNode(fleet, node, latest.get(node.name), references, now));
  return { nodes, groups: summarise(fleet, judged, nodes, references), ...(opts.peers ? { peers: opts.peers } : {}) };
}

/** Upper median, so that with an odd count one lying or forked node cannot move it at all. */
export function medianHead(heads: readonly number[]): number | undefined {
  if (heads.length === 0) return undefined;
  const sorted = [...heads].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The head a healthy node should be at: the median of the top half (at least the top three) of the
 * heads. A plain median falls when many nodes are stuck behind (they would show no lag); the top
 * alone follows one lying or forked node that reports a height far ahead. With three or more heads,
 * one node above the rest is never the reference; with two, the higher one is (a lagging node is the
 * more likely fault), and with one, itself.
 */
export function referenceHead(heads: readonly number[]): number | undefined {
  if (heads.length === 0) return undefined;
  const top = [...heads].sort((a, b) => b - a).slice(0, Math.min(heads.length, Math.max(3, Math.ceil(heads.length / 2))));
  return top[Math.floor((top.length - 1) / 2)];
}

function latestByNode(snapshots: readonly Snapshot[]): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  for (const s of snapshots) {
    const seen = out.get(s.node);
    if (!seen || s.at >= seen.at) out.set(s.node, s);
  }
  return out;
}

function refKey(fleet: Fleet, node: { group: string; env: string }): string | undefined {
  const g = fleet.groups[node.group];
  return g ? `${g.chain}\u0000${g.network}\u0000${node.env}` : undefined;
}

/** Only heads of reachable, settled nodes count, and of those only fresh ones unless every head is old. */
function referenceHeads(fleet: Fleet, latest: Map<string, Snapshot>, now: number, peers?: readonly FleetDigest[]): Map<string, number> {
  const heads = new Map<string, { fresh: number[]; all: number[] }>();
  const add = (node: { group: string; env: string }, head: number, headTime: number | undefined, count: number) => {
    const key = refKey(fleet, node);
    if (!key) return;
    const maxAge = (fleet.environments[node.env]?.thresholds ?? DEFAULT_THRESHOLDS).max_head_age;
    // A stuck node's head is old: leaving it out keeps several stuck nodes from pulling the reference down.
    const fresh = headTime === undefined || now - headTime <= maxAge;
    let list = heads.get(key);
    if (!list) heads.set(key, (list = { fresh: [], all: [] }));
    for (let i = 0; i < count; i++) {
      list.all.push(head);
      if (fresh) list.fresh.push(head);
    }
  };
  for (const node of fleet.nodes) {
    const s = latest.get(node.name);
    if (!s?.reachable || s.syncing || s.head === undefined) continue;
    add(node, s.head, s.headTime, 1);
  }
  for (const g of peerGroups(peers)) for (const [head, headTime, count] of g.heads) add(g, head, headTime < 0 ? undefined : headTime, count);
  const out = new Map<string, number>();
  for (const [key, list] of heads) {
    const m = referenceHead(list.fresh.length ? list.fresh : list.all);
    if (m !== undefined) out.set(key, m);
  }
  return out;
}

function assessNode(
  fleet: Fleet,
  node: FleetNode,
  snap: Snapshot | undefined,
  references: Map<string, number>,
  now: number,
): NodeHealth {
  const base = { node: node.name, group: node.group, env: node.env };
  const key = refKey(fleet, node);
  const referenceHead = key ? references.get(key) : undefined;
  if (!snap) return { ...base, referenceHead, status: 'unknown', reasons: ['no health check yet'] };
  if (!snap.reachable) return { ...base, snapshot: snap, referenceHead, status: 'down', reasons: [snap.error ?? 'unreachable'] };

  const t = fleet.environments[node.env]?.thresholds ?? DEFAULT_THRESHOLDS;
  const desired = fleet.groups[node.group]?.desired_version;
  const reasons: string[] = [];
  const lag = referenceHead !== undefined && snap.head !== undefined ? Math.max(0, referenceHead - snap.head) : undefined;
  const headAgeMs = snap.headTime !== undefined ? Math.max(0, now - snap.headTime) : undefined;

  if (snap.syncing) reasons.push(snap.syncProgress !== undefined ? `syncing (${(snap.syncProgress * 100).toFixed(1)}%)` : 'syncing');
  reasons.push(...(snap.faults ?? []));
  if (snap.head === undefined) reasons.push('no head block reported');
  if (lag !== undefined && lag > t.max_lag_blocks) reasons.push(`lag ${lag} > ${t.max_lag_blocks} blocks`);
  if (headAgeMs !== undefined && headAgeMs > t.max_head_age) reasons.push(`head age ${formatMs(headAgeMs)} > ${formatMs(t.max_head_age)}`);
  if (snap.peers !== undefined && snap.peers < t.min_peers) reasons.push(`peers ${snap.peers} < ${t.min_peers}`);
  // An unreported version is not drift: some nodes hide it; `versions` counts them as unknown.
  if (desired && snap.version && !sameVersion(snap.version, desired)) reasons.push(`version ${snap.version} ≠ desired ${desired}`);

  return { ...base, snapshot: snap, referenceHead, lag, headAgeMs, status: reasons.length ? 'degraded' : 'healthy', reasons };
}

function summarise(fleet: Fleet, judged: readonly FleetNode[], nodes: NodeHealth[], references: Map<string, number>): GroupHealth[] {
  const out = new Map<string, GroupHealth>();
  for (const [i, h] of nodes.entries()) {
    const node = judged[i] as FleetNode;
    const g = fleet.groups[h.group];
    const id = `${h.group}\u0000${h.env}`;
    let sum = out.get(id);
    if (!sum) {
      const key = refKey(fleet, node);
      sum = {
        group: h.group,
        env: h.env,
        chain: g?.chain ?? 'unknown',
        network: g?.network ?? 'unknown',
        desiredVersion: g?.desired_version ?? 'unknown',
        total: 0,
        healthy: 0,
        degraded: 0,
        down: 0,
        unknown: 0,
        versions: {},
        referenceHead: key ? references.get(key) : undefined,
      };
      out.set(id, sum);
    }
    sum.total += 1;
    sum[h.status] += 1;
    if (h.snapshot?.reachable) {
      const v = h.snapshot.version ?? 'unknown';
      sum.versions[v] = (sum.versions[v] ?? 0) + 1;
    }
    if (h.lag !== undefined) sum.maxLag = Math.max(sum.maxLag ?? 0, h.lag);
  }
  return [...out.values()];
}

/** `950ms`, `42s`, `5m30s`, `2h5m`: short enough for a chat line. */
function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1_000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}
