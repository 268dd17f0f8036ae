import type { FleetNode } from '../fleet/fleet.schema.ts';

/** What a host says about itself over SSH (from /proc, `df -P` and /sys). */
export interface HostFacts {
  /** Online CPUs. */
  cpus: number;
  memTotalMiB: number;
  /** `MemAvailable` (what new work can use without swapping). */
  memAvailableMiB: number;
  /** Size of the filesystem that holds the checked path (default `/`). */
  diskTotalGiB: number;
  /** Used share of that filesystem, 0–100, as `df` computes it. */
  diskUsedPct: number;
  /** 1-minute load average. */
  load1: number;
  /** Link speed of the default-route NIC, when the OS reports one (virtual NICs often do not). */
  nicSpeedMbps?: number;
}

/** Host facts as stored with a node's snapshot: when they were gathered, or why they could not be. */
export interface HostSnapshot {
  /** When the gathering finished (epoch ms). */
  at: number;
  facts?: HostFacts;
  /** Why the facts could not be gathered (never contains key material). */
  error?: string;
}

/** The result of one remote command. */
export interface SshResult {
  /** Exit code; null when the command was killed or the channel closed without one. */
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** True when the run was cut off at its timeout. */
  timedOut: boolean;
}

/**
 * Runs fixed commands on fleet nodes over SSH (node-ssh in production). Every connection pins the
 * node's `ssh.host_key`; a node without one is refused. Argument vectors come from the fleet file,
 * never from chat, and are quoted one by one for the remote shell.
 */
export interface SshRunner {
  /** Run `argv` on the node; throws a ChainopsError when it cannot connect or the host key differs. */
  run(node: FleetNode, argv: readonly string[], opts?: { timeoutMs?: number }): Promise<SshResult>;
  /** CPU, memory, disk, load and NIC speed of the node. */
  hostFacts(node: FleetNode, opts?: { timeoutMs?: number; path?: string }): Promise<HostFacts>;
}
