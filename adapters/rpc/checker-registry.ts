import type { FleetNode, NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import type { ChainChecker } from '../../src/ports/rpc.port.ts';
import { BitcoinChecker } from './bitcoin.checker.ts';
import { EthChecker } from './eth.checker.ts';
import { JsonRpcClient, type JsonRpcClientOptions } from './json-rpc.client.ts';
import { downSnapshot } from './snapshot-base.ts';

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

/** Says plainly that a kind has no checker yet, instead of pretending the node is fine. */
class UnsupportedChecker implements ChainChecker {
  constructor(
    private readonly kind: RpcKind,
    private readonly now: () => number,
  ) {}

  async check(node: FleetNode, group: NodeGroup): Promise<Snapshot> {
    return downSnapshot(node, group, this.now(), 0, `rpc kind ${this.kind} is not supported yet (issue #3)`);
  }
}

/** Builds the real checkers over one shared keep-alive client: eth and bitcoin today. */
export function createCheckers(opts: CheckerRegistryOptions = {}): CheckerRegistry {
  const client = new JsonRpcClient(opts);
  const now = opts.now ?? Date.now;
  const deps = { client, now, env: opts.env ?? process.env };
  const checkers: Record<RpcKind, ChainChecker> = {
    eth: new EthChecker(deps),
    bitcoin: new BitcoinChecker(deps),
    beacon: new UnsupportedChecker('beacon', now),
    solana: new UnsupportedChecker('solana', now),
    cometbft: new UnsupportedChecker('cometbft', now),
  };
  const pick = (kind: RpcKind): ChainChecker => checkers[kind];
  return Object.assign(pick, { close: () => client.close() });
}
