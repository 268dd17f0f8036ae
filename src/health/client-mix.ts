import type { Fleet } from '../fleet/fleet.schema.ts';
import type { FleetHealth } from './fleet-health.ts';
import { peerGroups } from './fleet-digest.ts';

/** Which clients run one chain and network in one environment. */
export interface ClientMix {
  env: string;
  chain: string;
  network: string;
  total: number;
  /** Client → node count, largest first. */
  clients: [string, number][];
}

/**
 * The client mix per environment, chain and network. A node counts under the client it reports
 * (`web3_clientVersion`, the BIP-14 user agent…), or its group's `client` until it has answered, so
 * a node put in the wrong group is counted as what it really runs.
 */
export function clientMix(fleet: Fleet, health: FleetHealth): ClientMix[] {
  const out = new Map<string, ClientMix & { counts: Map<string, number> }>();
  for (const h of health.nodes) {
    const g = fleet.groups[h.group];
    if (!g) continue;
    const key = `${h.env}\u0000${g.chain}\u0000${g.network}`;
    let mix = out.get(key);
    if (!mix) out.set(key, (mix = { env: h.env, chain: g.chain, network: g.network, total: 0, clients: [], counts: new Map() }));
    const client = h.snapshot?.client ?? g.client;
    mix.total += 1;
    mix.counts.set(client, (mix.counts.get(client) ?? 0) + 1);
  }
  // The other shares of a sharded sweep count their nodes in.
  for (const d of peerGroups(health.peers)) {
    const g = fleet.groups[d.group];
    if (!g) continue;
    const key = `${d.env}\u0000${g.chain}\u0000${g.network}`;
    let mix = out.get(key);
    if (!mix) out.set(key, (mix = { env: d.env, chain: g.chain, network: g.network, total: 0, clients: [], counts: new Map() }));
    for (const [client, n] of Object.entries(d.clients)) {
      mix.total += n;
      mix.counts.set(client, (mix.counts.get(client) ?? 0) + n);
    }
  }
  return [...out.values()].map(({ counts, ...m }) => ({ ...m, clients: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) }));
}

/** `ganache 2 · anvil 1 · hardhat 1`. */
export function describeMix(m: ClientMix): string {
  return m.clients.map(([c, n]) => `${c} ${n}`).join(' · ');
}

/** The client holding more than `pct` % of the chain's nodes, if any (a chain of one node never counts). */
export function supermajority(m: ClientMix, pct: number): { client: string; count: number; share: number } | undefined {
  const [top] = m.clients;
  if (!top || m.total < 2) return undefined;
  const share = (100 * top[1]) / m.total;
  return share > pct ? { client: top[0], count: top[1], share } : undefined;
}
