// The baseline of the sweep benchmark: the same HTTP requests (same bodies, headers and connection
// pool settings) a sweep sends, fired by plain undici with the same concurrency, reading each body
// as bytes and nothing more. It is the ceiling a sweep could reach on this machine and responder.
import { Agent, request } from 'undici';
import type { Fleet, FleetNode } from '../src/fleet/fleet.schema.ts';
import { BENCH_ENV } from './bench-fleet.ts';

const ETH_CALLS = [
  ['eth_chainId', []], ['web3_clientVersion', []], ['eth_syncing', []],
  ['eth_blockNumber', []], ['eth_getBlockByNumber', ['latest', false]], ['net_peerCount', []],
] as const;
const BTC_CALLS = [['getblockchaininfo', []], ['getnetworkinfo', []]] as const;
// The header call carries the best block hash; the ceiling does not parse the answer to get it.
const BEST_HASH = 'f'.repeat(64);
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const BTC_HEADERS = {
  ...JSON_HEADERS,
  authorization: `Basic ${Buffer.from(`chainops:${BENCH_ENV.BENCH_BTC_RPC_PASSWORD}`).toString('base64')}`,
};

/** Same pool shape as `JsonRpcClient`'s defaults: 4 keep-alive sockets per origin, no pipelining. */
export function rawAgent(): Agent {
  return new Agent({ connections: 4, keepAliveTimeout: 30_000, pipelining: 1 });
}

/** Sends every node's requests with `concurrency` nodes in flight; returns how many HTTP requests were sent. */
export async function rawSweep(fleet: Fleet, agent: Agent, concurrency: number): Promise<number> {
  let nextId = 1;
  let requests = 0;
  const post = async (url: string, headers: Record<string, string>, payload: unknown): Promise<void> => {
    requests++;
    const res = await request(url, { method: 'POST', headers, body: JSON.stringify(payload), dispatcher: agent });
    await res.body.arrayBuffer();
  };
  const batch = (calls: readonly (readonly [string, readonly unknown[]])[]) =>
    calls.map(([method, params]) => ({ jsonrpc: '2.0', id: nextId++, method, params }));
  const one = async (node: FleetNode): Promise<void> => {
    if (node.rpc_auth) {
      await post(node.rpc_url, BTC_HEADERS, batch(BTC_CALLS));
      await post(node.rpc_url, BTC_HEADERS, { jsonrpc: '2.0', id: nextId++, method: 'getblockheader', params: [BEST_HASH] });
    } else {
      await post(node.rpc_url, JSON_HEADERS, batch(ETH_CALLS));
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < fleet.nodes.length) await one(fleet.nodes[next++] as FleetNode);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, fleet.nodes.length) }, worker));
  return requests;
}
