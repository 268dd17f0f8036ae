import type { Snapshot } from './snapshot.ts';

/** Nodes that are on one chain, with the hash they reported at `height`. */
export interface HashBucket {
  /** The height this bucket is shown at: where it conflicts with the majority (or, on a tie, the finding's height). */
  height: number;
  hash: string;
  /** The majority's hash at `height` (minorities only). */
  versus?: string;
  /** Node names, sorted. */
  nodes: string[];
}

/** Nodes of one chain and network (in one environment) that are not all on one chain. */
export interface SplitFinding {
  env: string;
  chain: string;
  network: string;
  /** The newest height at which two of the chains disagree. */
  height: number;
  /** Nodes on one of the chains found (nodes that share no height with any other are left out). */
  compared: number;
  /** The chain of more than half of the compared nodes; absent on a tie. */
  majority?: HashBucket;
  /** Every other chain, largest first (each is one alert); with no majority, every chain. */
  minorities: HashBucket[];
}

/**
 * Finds nodes on another chain. Two nodes are on one chain when they reported a hash at one or more
 * common heights and every such hash is the same; one differing hash at any common height (often the
 * newest checkpoint, while genesis still agrees) puts them on different chains. Nodes are grouped by
 * that relation; a chain held by more than half of them is the majority and every other chain a
 * minority; without one it is a tie and nobody is called the odd one out. Only reachable, settled
 * nodes count (a syncing node has not reached the chain yet).
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

type Seen = { node: string; hashes: Map<number, string> };

/** `undefined`: no common height; `-1`: one chain; else the newest height where the hashes differ. */
function conflict(a: Seen, b: Seen): number | undefined {
  let common = false;
  let newest = -1;
  for (const [h, hash] of a.hashes) {
    const other = b.hashes.get(h);
    if (other === undefined) continue;
    common = true;
    if (other !== hash && h > newest) newest = h;
  }
  return common ? newest : undefined;
}

function judgeChain(list: Snapshot[]): SplitFinding | undefined {
  const seen: Seen[] = list.map((s) => ({ node: s.node, hashes: new Map(s.hashes!.map((x) => [x.height, x.hash])) }));
  // Union-find over "on one chain".
  const parent = seen.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  let newest = -1;
  const linked = new Set<number>();
  for (let i = 0; i < seen.length; i++) {
    for (let j = i + 1; j < seen.length; j++) {
      const c = conflict(seen[i]!, seen[j]!);
      if (c === undefined) continue;
      linked.add(i).add(j);
      if (c === -1) parent[root(i)] = root(j);
      else newest = Math.max(newest, c);
    }
  }
  if (newest < 0) return undefined;
  const groups = new Map<number, number[]>();
  for (const i of linked) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  const members = [...groups.values()].sort((a, b) => b.length - a.length);
  const compared = members.reduce((n, g) => n + g.length, 0);
  const first = list[0]!;
  const base = { env: first.env, chain: first.chain, network: first.network, height: newest, compared };
  const names = (g: number[]) => g.map((i) => seen[i]!.node).sort();
  const top = members[0]!;
  if (top.length * 2 > compared) {
    const minorities = members.slice(1).map((g) => versus(seen, g, top, names(g)));
    return { ...base, majority: { height: newest, hash: hashAt(seen, top, newest), nodes: names(top) }, minorities };
  }
  return { ...base, minorities: members.map((g) => ({ height: newest, hash: hashAt(seen, g, newest), nodes: names(g) })) };
}

/** The minority shown at the newest height where one of its nodes and one of the majority's differ. */
function versus(seen: Seen[], minority: number[], majority: number[], nodes: string[]): HashBucket {
  let best: HashBucket = { height: -1, hash: '?', nodes };
  for (const i of minority) for (const j of majority) {
    for (const [h, hash] of seen[i]!.hashes) {
      const theirs = seen[j]!.hashes.get(h);
      if (theirs !== undefined && theirs !== hash && h > best.height) best = { height: h, hash, versus: theirs, nodes };
    }
  }
  return best;
}

function hashAt(seen: Seen[], group: number[], height: number): string {
  for (const i of group) {
    const h = seen[i]!.hashes.get(height);
    if (h !== undefined) return h;
  }
  return '?';
}

/** `0xabcdef…` (or `abcdef…`): enough of a hash to tell two apart in chat. */
export function shortHash(hash: string): string {
  if (hash === '?') return 'no hash';
  const body = hash.startsWith('0x') ? 8 : 6;
  return `${hash.slice(0, body)}…`;
}

/** `eth-3 is on another chain at height 1234: 0xabcdef… vs 0x123456… on 4 of 5 nodes`. */
export function describeMinority(f: SplitFinding, m: HashBucket): string {
  const who = m.nodes.length === 1 ? `${m.nodes[0]} is` : `${m.nodes.join(', ')} are`;
  if (f.majority) {
    return `${who} on another chain at height ${m.height}: ${shortHash(m.hash)} vs ${shortHash(m.versus ?? f.majority.hash)} on ${f.majority.nodes.length} of ${f.compared} nodes`;
  }
  return describeTie(f);
}

/** `no majority at height 1234: 0xab… on eth-1, 0xcd… on eth-2 — a tie; check which side the network follows`. */
export function describeTie(f: SplitFinding): string {
  const sides = f.minorities.map((b) => `${b.hash === '?' ? 'no hash yet' : shortHash(b.hash)} on ${b.nodes.join(', ')}`).join('; ');
  return `chain split with no majority at height ${f.height} (${f.compared} nodes): ${sides} — a tie, so no side is called wrong; compare with a trusted public node`;
}
