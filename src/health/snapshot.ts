import type { HostSnapshot } from '../ports/ssh.port.ts';

/** What one health check saw of one node. Chain adapters fill it; fleet logic reads it. */
export interface Snapshot {
  node: string;
  group: string;
  env: string;
  chain: string;
  network: string;
  /** When the check finished (epoch ms). */
  at: number;
  reachable: boolean;
  /** Why the node could not be checked (never contains credentials). */
  error?: string;
  chainId?: string;
  /** Client name as the node reports it, lower case: `geth`, `ganache`, `satoshi`, `litecoincore`. */
  client?: string;
  /** Client version normalised to `1.2.3` (no leading `v`). */
  version?: string;
  /** The raw version string the node reported (`Geth/v1.14.3-stable/linux-amd64/go1.22`). */
  clientVersion?: string;
  syncing?: boolean;
  /** 0..1 when the node reports it. */
  syncProgress?: number;
  head?: number;
  /** Timestamp of the head block (epoch ms). */
  headTime?: number;
  peers?: number;
  latencyMs: number;
  warnings: string[];
  /**
   * What the node itself reports as wrong and that makes it unfit to serve, though it answers:
   * a Beacon node whose execution client is offline or optimistic. Unlike warnings, these count
   * against the node's verdict.
   */
  faults?: string[];
  /**
   * Block hashes the node reported at its head and at checkpoint heights (`checkpointHeights`), so
   * fleet logic can compare nodes at a common height and find one on another chain. Lower-case hex,
   * no `0x` for the Bitcoin family (as its RPC writes them).
   */
  hashes?: BlockHash[];
  /** The node's own view of its fork schedule (Ethereum `eth_config`, EIP-7910), when it answers it. */
  forkView?: ForkView;
  /** Host facts over SSH, gathered on their own slower interval and carried forward between sweeps. */
  host?: HostSnapshot;
}

/** A block hash at a height, as one node reported it. */
export interface BlockHash {
  height: number;
  hash: string;
}

/** What `eth_config` said: the fork in force and the next scheduled one (absent when none is scheduled). */
export interface ForkView {
  /** FORK_HASH (EIP-6122) of the fork in force, `0x` + 8 hex. */
  currentForkId: string;
  /** Short digest of the whole current configuration (blob schedule, precompiles, system contracts). */
  currentDigest: string;
  nextForkId?: string;
  nextDigest?: string;
  /** Activation time of the next fork, epoch seconds. */
  nextActivation?: number;
}
