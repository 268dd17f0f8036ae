import { fleetSchema, type Fleet } from '../src/fleet/fleet.schema.ts';

/** Environment the bitcoin nodes' `rpc_auth.password_env` is read from (handed to `createCheckers`). */
export const BENCH_ENV = { BENCH_BTC_RPC_PASSWORD: 'bench-secret' };

/**
 * `eth` Ethereum nodes and `btc` Bitcoin nodes spread round-robin over the responder's ports; each
 * node gets its own URL path so no two URLs are the same (connections are still pooled per origin).
 */
export function benchFleet(eth: number, btc: number, ports: readonly number[]): Fleet {
  const port = (i: number) => ports[i % ports.length];
  const nodes = [
    ...Array.from({ length: eth }, (_, i) => ({
      name: `geth-${i}`, group: 'geth-mainnet', env: 'prod', rpc_url: `http://127.0.0.1:${port(i)}/geth-${i}`,
    })),
    ...Array.from({ length: btc }, (_, i) => ({
      name: `btc-${i}`, group: 'bitcoind-main', env: 'prod', rpc_url: `http://127.0.0.1:${port(eth + i)}/btc-${i}`,
      rpc_auth: { username: 'chainops', password_env: 'BENCH_BTC_RPC_PASSWORD' },
    })),
  ];
  return fleetSchema.parse({
    version: 1,
    name: `bench-${eth + btc}`,
    environments: { prod: {} },
    groups: {
      'geth-mainnet': { chain: 'ethereum', network: 'mainnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' } },
      'bitcoind-main': { chain: 'bitcoin', network: 'mainnet', client: 'bitcoind', desired_version: '27.0.0', rpc: { kind: 'bitcoin' } },
    },
    nodes,
  });
}
