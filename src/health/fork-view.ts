import type { Fleet } from '../fleet/fleet.schema.ts';
import type { NodeHealth } from './fleet-health.ts';
import type { ForkView } from './snapshot.ts';
import type { GroupDigest } from './fleet-digest.ts';

type Verdict = { bad: boolean | undefined; summary: string };

function describe(v: ForkView): string {
  const next = v.nextForkId ? `next ${v.nextForkId} at ${new Date(v.nextActivation! * 1000).toISOString()}` : 'no fork scheduled';
  return `fork ${v.currentForkId} (config ${v.currentDigest}), ${next}`;
}

const keyOf = (v: ForkView) => `${v.currentForkId}|${v.currentDigest}|${v.nextForkId ?? '-'}|${v.nextActivation ?? '-'}|${v.nextDigest ?? '-'}`;

/**
 * Per node that answered `eth_config` (EIP-7910): does its view of the fork schedule match the
 * rest of its chain? The view held by more than half of the chain's answering nodes is the
 * reference; a tie judges nobody. A node that schedules its next fork at another time than the
 * fleet file's `forks:` entry for the chain is flagged too.
 */
export function forkViewFindings(fleet: Fleet, nodes: readonly NodeHealth[], now: number, peers: readonly GroupDigest[] = []): Map<string, Verdict> {
  const chains = new Map<string, NodeHealth[]>();
  for (const h of nodes) {
    const g = fleet.groups[h.group];
    if (!g || !h.snapshot?.reachable || !h.snapshot.forkView) continue;
    const key = `${h.env}\u0000${g.chain}\u0000${g.network}`;
    chains.set(key, [...(chains.get(key) ?? []), h]);
  }
  // The other shares' views (sharded sweeps) count towards each chain's majority; only this share's nodes are judged.
  const peerViews = new Map<string, { view: ForkView; count: number }[]>();
  for (const d of peers) {
    const g = fleet.groups[d.group];
    if (!g || d.views.length === 0) continue;
    const key = `${d.env}\u0000${g.chain}\u0000${g.network}`;
    peerViews.set(key, [...(peerViews.get(key) ?? []), ...d.views]);
  }
  const out = new Map<string, Verdict>();
  for (const [chainKey, list] of chains) {
    const g = fleet.groups[list[0]!.group]!;
    const counts = new Map<string, number>();
    const views = new Map<string, ForkView>();
    for (const h of list) counts.set(keyOf(h.snapshot!.forkView!), (counts.get(keyOf(h.snapshot!.forkView!)) ?? 0) + 1);
    for (const h of list) views.set(keyOf(h.snapshot!.forkView!), h.snapshot!.forkView!);
    let total = list.length;
    for (const p of peerViews.get(chainKey) ?? []) {
      counts.set(keyOf(p.view), (counts.get(keyOf(p.view)) ?? 0) + p.count);
      views.set(keyOf(p.view), p.view);
      total += p.count;
    }
    const [top, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const majority = n * 2 > total ? top : undefined;
    const reference = majority ? views.get(majority) : undefined;
    const planned = fleet.forks.find((f) => f.chain === g.chain && f.network === g.network && f.time !== undefined && f.time > now);
    for (const h of list) {
      const v = h.snapshot!.forkView!;
      if (planned && v.nextActivation !== undefined && v.nextActivation * 1000 !== planned.time) {
        out.set(h.node, { bad: true, summary: `${h.node} schedules its next fork at ${new Date(v.nextActivation * 1000).toISOString()}, the fleet file has ${planned.name} at ${new Date(planned.time!).toISOString()}` });
      } else if (!reference) out.set(h.node, { bad: undefined, summary: `no majority view of the fork schedule among ${total} nodes` });
      else if (keyOf(v) !== majority) {
        out.set(h.node, { bad: true, summary: `${h.node}'s eth_config disagrees: ${describe(v)} vs ${describe(reference)} on ${n} of ${total} nodes` });
      } else out.set(h.node, { bad: false, summary: `agrees with ${n} of ${total} nodes: ${describe(v)}` });
    }
  }
  return out;
}
