import type { Document } from 'yaml';
import { startAnvil } from '../../adapters/local/anvil.process.ts';
import { startHardhat } from '../../adapters/local/hardhat.process.ts';

/** How far ahead of the demo's start its hard fork activates (the countdown in `status`). */
export const DEMO_FORK_AHEAD_MS = 10 * 60_000;

/** What `npm run demo` adds to the template fleet beyond URLs. */
export interface DemoExtras {
  /** rpc_url of the anvil (`anvil-1`) and Hardhat (`hardhat-1`) nodes; absent: no such nodes. */
  clients?: Record<string, string>;
  /** When the demo's fork activates (epoch ms); absent: no fork. */
  forkAt?: number;
}

// Named by client, not eth-N: eth-1..4 are the ganache nodes of eth-devnet (eth-4 its dev node).
const CLIENT_NODES: Record<string, string> = { 'anvil-1': 'anvil-devnet', 'hardhat-1': 'hardhat-devnet' };

/**
 * An anvil and a Hardhat node next to the ganache ones (same chain id, 2 s blocks), so the demo's
 * devnet has three real execution clients. A client that fails to start is left out with a note.
 */
export async function startOtherClients(say: (line: string) => void): Promise<{ urls: Record<string, string>; stop(): Promise<void> }> {
  const started = await Promise.allSettled([startAnvil({ blockTimeSec: 2, chainId: 1337 }), startHardhat({ blockTimeSec: 2, chainId: 1337 })]);
  const urls: Record<string, string> = {};
  const stops: Array<() => Promise<void>> = [];
  started.forEach((r, i) => {
    const name = i === 0 ? 'anvil-1' : 'hardhat-1';
    if (r.status === 'fulfilled') {
      urls[name] = r.value.url;
      stops.push(r.value.stop);
    } else say(`${i === 0 ? 'anvil' : 'hardhat'} did not start, left out of the demo: ${r.reason instanceof Error ? r.reason.message.split('\n')[0] : String(r.reason)}`);
  });
  return { urls, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}

/** Adds the anvil/Hardhat nodes and the fork to the demo fleet document. */
export function addChainTruth(doc: Document, extra: DemoExtras): void {
  for (const [name, url] of Object.entries(extra.clients ?? {})) {
    const group = CLIENT_NODES[name];
    if (group) (doc.get('nodes') as { add(v: unknown): void }).add(doc.createNode({ name, group, env: 'prod', rpc_url: url }, { flow: true }));
  }
  if (extra.forkAt !== undefined) {
    const time = new Date(Math.ceil(extra.forkAt / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    doc.set('forks', doc.createNode([{ name: 'osaka', chain: 'ethereum', network: 'devnet', time, min_versions: { ganache: '7.9.2', anvil: '1.7.0', hardhat: '2.29.0' } }]));
  }
}
