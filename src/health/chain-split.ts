import type { BlockHash, Snapshot } from './snapshot.ts';

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
export function findSplits(snapshots: readonly Snapshot[], skip: (chain: string, network: string) => boolean = () => false, extra: readonly ChainHashes[] = []): SplitFinding[] {
  const chains = new Map<string, ChainHashes>();
  const add = (env: string, chain: string, network: string, hashes: readonly BlockHash[], nodes: readonly string[]) => {
    const key = `${env}\u0000${chain}\u0000${network}`;
    let c = chains.get(key);
    if (!c) chains.set(key, (c = { env, chain, network, signatures: [] }));
    c.signatures.push({ hashes, nodes });
  };
  for (const s of snapshots) {
    if (!s.reachable || s.syncing || !s.hashes?.length || skip(s.chain, s.network)) continue;
    add(s.env, s.chain, s.network, s.hashes, [s.node]);
  }
  for (const c of extra) if (!skip(c.chain, c.network)) for (const sig of c.signatures) if (sig.hashes.length) add(c.env, c.chain, c.network, sig.hashes, sig.nodes);
  const out: SplitFinding[] = [];
  for (const c of chains.values()) {
    const finding = judgeChain(c);
    if (finding) out.push(finding);
  }
  return out;
}

/** Nodes of one chain grouped by the hashes they reported (the compact form a sweep share hands to the others). */
export interface ChainHashes {
  env: string;
  chain: string;
  network: string;
  signatures: { hashes: readonly BlockHash[]; nodes: readonly string[] }[];
}

/** A canonical text of a node's hashes: nodes with equal texts are on one chain without comparing them. */
export function hashSignature(hashes: readonly BlockHash[]): string {
  return [...hashes].sort((a, b) => a.height - b.height).map((x) => `${x.height}:${x.hash}`).join(',');
}

type Seen = { nodes: string[]; hashes: Map<number, string> };

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

/**
 * Nodes that reported the same hashes are merged first, so the pairwise comparison runs over distinct
 * hash sets (a handful per chain) rather than over nodes: 100 000 nodes of one healthy chain are one
 * entry, not 5·10⁹ pairs. Two nodes with equal non-empty hashes are on one chain, so this changes no result.
 */
function judgeChain(c: ChainHashes): SplitFinding | undefined {
  const bySig = new Map<string, Seen>();
  for (const sig of c.signatures) {
    const text = hashSignature(sig.hashes);
    const seen = bySig.get(text);
    if (seen) seen.nodes.push(...sig.nodes);
    else bySig.set(text, { nodes: [...sig.nodes], hashes: new Map(sig.hashes.map((x) => [x.height, x.hash])) });
  }
  const seen = [...bySig.values()];
  const weight = (i: number) => seen[i]!.nodes.length;
  // Union-find over "on one chain".
  const parent = seen.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  let newest = -1;
  const linked = new Set<number>();
  // Two nodes with the same hashes share a height: both count as compared.
  for (let i = 0; i < seen.length; i++) if (weight(i) > 1) linked.add(i);
  for (let i = 0; i < seen.length; i++) {
    for (let j = i + 1; j < seen.length; j++) {
      const k = conflict(seen[i]!, seen[j]!);
      if (k === undefined) continue;
      linked.add(i).add(j);
      if (k === -1) parent[root(i)] = root(j);
      else newest = Math.max(newest, k);
    }
  }
  if (newest < 0) return undefined;
  const groups = new Map<number, number[]>();
  for (const i of linked) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  const size = (g: number[]) => g.reduce((n, i) => n + weight(i), 0);
  const members = [...groups.values()].sort((a, b) => size(b) - size(a));
  const compared = members.reduce((n, g) => n + size(g), 0);
  const base = { env: c.env, chain: c.chain, network: c.network, height: newest, compared };
  const names = (g: number[]) => g.flatMap((i) => seen[i]!.nodes).sort();
  const top = members[0]!;
  if (size(top) * 2 > compared) {
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
