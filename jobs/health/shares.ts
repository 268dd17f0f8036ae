/**
 * Rendezvous (highest-random-weight) hashing: each node goes to the member with the highest
 * hash(member, node). Every worker computes the same owner from the same member list, and when a
 * member leaves only its own nodes move (spread evenly over the rest); nobody else's share changes.
 */
export function ownerOf(node: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  const nodeHash = hash32(node, 0x811c9dc5);
  for (const m of members) {
    const w = mix(hash32(m, nodeHash));
    if (w > bestWeight || (w === bestWeight && best !== undefined && m < best)) {
      best = m;
      bestWeight = w;
    }
  }
  return best;
}

/** The nodes `me` checks this round, in the order given. */
export function shareOf<T extends { name: string }>(nodes: readonly T[], members: readonly string[], me: string): T[] {
  if (!members.includes(me)) return [];
  if (members.length === 1) return [...nodes];
  return nodes.filter((n) => ownerOf(n.name, members) === me);
}

/** FNV-1a over the UTF-16 code units, seeded. */
function hash32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: FNV alone leaves the low bits of similar names too alike. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
