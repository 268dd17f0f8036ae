import type { NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { ChainChecker } from '../../src/ports/rpc.port.ts';
import { BeaconChecker } from './beacon.checker.ts';
import { BitcoinChecker } from './bitcoin.checker.ts';
import { CometBftChecker } from './cometbft.checker.ts';
import { EthChecker } from './eth.checker.ts';
import { JsonRpcClient, type JsonRpcClientOptions } from './json-rpc.client.ts';
import { SolanaChecker } from './solana.checker.ts';

export type RpcKind = NodeGroup['rpc']['kind'];

/** Options of `createCheckers`; every field is optional. */
export interface CheckerRegistryOptions extends JsonRpcClientOptions {
  /** Stamps snapshots; default `Date.now`. */
  now?: () => number;
  /** Where `rpc_auth.password_env` is looked up; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Picks the checker for an RPC kind; `close()` releases the pooled connections. */
export interface CheckerRegistry {
  (kind: RpcKind): ChainChecker;
  close(): Promise<void>;
}

/** Builds one checker per RPC kind over one shared keep-alive client (JSON-RPC and REST alike). */
export function createCheckers(opts: CheckerRegistryOptions = {}): CheckerRegistry {
  const client = new JsonRpcClient(opts);
  const now = opts.now ?? Date.now;
  const deps = { client, now, env: opts.env ?? process.env };
  const checkers: Record<RpcKind, ChainChecker> = {
    eth: new EthChecker(deps),
    bitcoin: new BitcoinChecker(deps),
    beacon: new BeaconChecker(deps),
    solana: new SolanaChecker(deps),
    cometbft: new CometBftChecker(deps),
  };
  const pick = (kind: RpcKind): ChainChecker => checkers[kind];
  return Object.assign(pick, { close: () => client.close() });
}
