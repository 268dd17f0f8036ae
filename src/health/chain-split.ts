import type { Snapshot } from './snapshot.ts';

/** Nodes that reported one hash at the compared height. */
export interface HashBucket {
  hash: string;
  /** Node names, sorted. */
  nodes: string[];
}

/** What the nodes of one chain and network (in one environment) said about one common height. */
export interface SplitFinding {
  env: string;
  chain: string;
  network: string;
  height: number;
  /** How many nodes had a hash at `height`. */
  compared: number;
  /** The bucket holding more than half of the compared nodes; absent on a tie. */
  majority?: HashBucket;
  /** Every other bucket, largest first (each is one alert); with no majority, every bucket. */
  minorities: HashBucket[];
}

/**
 * Finds nodes on another chain. Per environment, chain and network it takes the height that the
 * most nodes reported a hash for (the newest of those on a tie) and groups the nodes by their hash
 * there. One hash held by more than half of them is the majority and every other hash a minority;
 * without such a hash it is a tie and nobody is called the odd one out. Only reachable, settled
 * nodes count (a syncing node has not reached the chain yet); chains with fewer than two nodes at
 * a common height, or with every node agreeing, yield nothing.
 */
export function findSplits(snapshots: readonly Snapshot[], skip: (chain: string, network: string) => boolean = () => false): SplitFinding[] {
  const chains = new Map<string, Snapshot[]>();
  for (const s of snapshots) {
    if (!s.reachable || s.syncing || !s.hashes?.length || skip(s.chain, s.network)) continue;
    const key = `${s.env}\u0000${s.chain}\u0000${s.network}`;
    const list = chains.get(key);
    if (list) list.push(s);
    else chains.set(key, [s]);
  }
  const out: SplitFinding[] = [];
  for (const list of chains.values()) {
    const finding = judgeChain(list);
    if (finding) out.push(finding);
  }
  return out;
}

function judgeChain(list: Snapshot[]): SplitFinding | undefined {
  const counts = new Map<number, number>();
  for (const s of list) for (const h of new Set(s.hashes!.map((x) => x.height))) counts.set(h, (counts.get(h) ?? 0) + 1);
  let height = -1;
  let best = 0;
  for (const [h, n] of counts) if (n > best || (n === best && h > height)) [height, best] = [h, n];
  if (best < 2) return undefined;
  const byHash = new Map<string, string[]>();
  for (const s of list) {
    const hash = s.hashes!.find((x) => x.height === height)?.hash;
    if (hash === undefined) continue;
    const nodes = byHash.get(hash);
    if (nodes) nodes.push(s.node);
    else byHash.set(hash, [s.node]);
  }
  if (byHash.size < 2) return undefined;
  const buckets = [...byHash].map(([hash, nodes]) => ({ hash, nodes: nodes.sort() })).sort((a, b) => b.nodes.length - a.nodes.length || a.hash.localeCompare(b.hash));
  const first = list[0]!;
  const base = { env: first.env, chain: first.chain, network: first.network, height, compared: best };
  const top = buckets[0]!;
  if (top.nodes.length * 2 > best) return { ...base, majority: top, minorities: buckets.slice(1) };
  return { ...base, minorities: buckets };
}

/** `0xabcdef…` (or `abcdef…`): enough of a hash to tell two apart in chat. */
export function shortHash(hash: string): string {
  const body = hash.startsWith('0x') ? 8 : 6;
  return `${hash.slice(0, body)}…`;
}

/** `eth-3 is on another chain at height 1234: 0xabcdef… vs 0x123456… on 4 of 5 nodes`. */
export function describeMinority(f: SplitFinding, m: HashBucket): string {
  const who = m.nodes.length === 1 ? `${m.nodes[0]} is` : `${m.nodes.join(', ')} are`;
  if (f.majority) {
    return `${who} on another chain at height ${f.height}: ${shortHash(m.hash)} vs ${shortHash(f.majority.hash)} on ${f.majority.nodes.length} of ${f.compared} nodes`;
  }
  return describeTie(f);
}

/** `no majority at height 1234: 0xab… on eth-1, 0xcd… on eth-2 — a tie; check which side the network follows`. */
export function describeTie(f: SplitFinding): string {
  const sides = f.minorities.map((b) => `${shortHash(b.hash)} on ${b.nodes.join(', ')}`).join('; ');
  return `chain split with no majority at height ${f.height} (${f.compared} nodes): ${sides} — a tie, so no side is called wrong; compare with a trusted public node`;
}
