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
  /** Host facts over SSH, gathered on their own slower interval and carried forward between sweeps. */
  host?: HostSnapshot;
}
