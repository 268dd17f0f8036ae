import type { Fleet } from '../fleet/fleet.schema.ts';
import { hashSignature, type ChainHashes } from './chain-split.ts';
import type { BlockHash, ForkView, Snapshot } from './snapshot.ts';

/**
 * What the other shares of a sharded sweep need to know about one share's nodes, per group and
 * environment, in a size that grows with the number of distinct answers rather than with nodes:
 * the heads for the reference head, the newest head time for chain-stalled vs node-stalled, the
 * client mix, the fork views and the block hashes for chain splits (names kept only there: a
 * minority is named in its alert). Each share writes its own after its round; a share judging its
 * nodes reads the others' instead of every node's snapshot.
 */
export interface FleetDigest {
  /** The oldest check time among the share's snapshots (epoch ms): older than the stale limit → ignored. */
  at: number;
  groups: GroupDigest[];
}

export interface GroupDigest {
  group: string;
  env: string;
  /** Nodes of the group in the share. */
  nodes: number;
  /** `[head, headTime or -1, count]` of reachable, settled nodes that report a head. */
  heads: [number, number, number][];
  /** Nodes whose head age can be judged (reachable, not syncing, head time known, not in maintenance) and the newest head time among them. */
  headAge: { reporting: number; newestHeadTime: number };
  /** Client (as reported, or the group's) → nodes. */
  clients: Record<string, number>;
  /** Distinct fork views of reachable nodes not in maintenance, with how many nodes hold each. */
  views: { view: ForkView; count: number }[];
  /** Distinct hash sets of reachable, settled nodes not in maintenance, with their nodes. */
  hashes: { hashes: BlockHash[]; nodes: string[] }[];
}

/** The digest of one share's latest snapshots. `maintenance`: nodes under a change's lease (their results are no data). */
export function digestOf(fleet: Fleet, snapshots: readonly Snapshot[], maintenance: ReadonlyMap<string, string> = new Map()): FleetDigest {
  const groups = new Map<string, GroupDigest & { headCounts: Map<string, [number, number, number]>; viewCounts: Map<string, { view: ForkView; count: number }>; sigs: Map<string, { hashes: BlockHash[]; nodes: string[] }> }>();
  let at = Number.POSITIVE_INFINITY;
  for (const s of snapshots) {
    const id = `${s.group}\u0000${s.env}`;
    let g = groups.get(id);
    if (!g) {
      groups.set(id, (g = { group: s.group, env: s.env, nodes: 0, heads: [], headAge: { reporting: 0, newestHeadTime: -1 }, clients: {}, views: [], hashes: [], headCounts: new Map(), viewCounts: new Map(), sigs: new Map() }));
    }
    g.nodes += 1;
    at = Math.min(at, s.at);
    const client = s.client ?? fleet.groups[s.group]?.client ?? 'unknown';
    g.clients[client] = (g.clients[client] ?? 0) + 1;
    if (!s.reachable) continue;
    if (!s.syncing && s.head !== undefined) {
      const key = `${s.head}/${s.headTime ?? -1}`;
      const h = g.headCounts.get(key);
      if (h) h[2] += 1;
      else g.headCounts.set(key, [s.head, s.headTime ?? -1, 1]);
    }
    if (maintenance.has(s.node)) continue;
    if (s.syncing !== true && s.headTime !== undefined) {
      g.headAge.reporting += 1;
      g.headAge.newestHeadTime = Math.max(g.headAge.newestHeadTime, s.headTime);
    }
    if (s.forkView) {
      const key = JSON.stringify(s.forkView);
      const v = g.viewCounts.get(key);
      if (v) v.count += 1;
      else g.viewCounts.set(key, { view: s.forkView, count: 1 });
    }
    if (!s.syncing && s.hashes?.length) {
      const key = hashSignature(s.hashes);
      const sig = g.sigs.get(key);
      if (sig) sig.nodes.push(s.node);
      else g.sigs.set(key, { hashes: s.hashes, nodes: [s.node] });
    }
  }
  return {
    at: Number.isFinite(at) ? at : 0,
    groups: [...groups.values()].map(({ headCounts, viewCounts, sigs, ...g }) => ({ ...g, heads: [...headCounts.values()], views: [...viewCounts.values()], hashes: [...sigs.values()] })),
  };
}

/** The peers' groups, flattened: what `assessFleet` and the alert rules add to a share's own nodes. */
export function peerGroups(peers: readonly FleetDigest[] | undefined): GroupDigest[] {
  return peers ? peers.flatMap((p) => p.groups) : [];
}

/** The peers' hash sets per chain, in the form `findSplits` takes. `applies`: does the rule cover this environment? */
export function peerChainHashes(fleet: Fleet, peers: readonly FleetDigest[] | undefined, applies: (env: string) => boolean = () => true): ChainHashes[] {
  const out: ChainHashes[] = [];
  for (const g of peerGroups(peers)) {
    const grp = fleet.groups[g.group];
    if (!grp || !applies(g.env) || g.hashes.length === 0) continue;
    out.push({ env: g.env, chain: grp.chain, network: grp.network, signatures: g.hashes });
  }
  return out;
}
