import { parseDuration, type Fleet } from '../fleet/fleet.schema.ts';
import type { Fork } from './chain-truth.schema.ts';
import type { FleetHealth, NodeHealth } from './fleet-health.ts';
import { compareVersions } from './version.ts';

/** Countdown stages at which `fork_unready` is raised (again): a week, a day and an hour before. */
export const FORK_STAGES = [
  { label: 'T-1h', ms: 3_600_000 },
  { label: 'T-1d', ms: 86_400_000 },
  { label: 'T-7d', ms: 7 * 86_400_000 },
] as const;

/** A node that does not run a version the fork needs. */
export interface UnreadyNode {
  node: string;
  group: string;
  env: string;
  client: string;
  version: string;
  min: string;
}

/** Where one fork stands in one environment. */
export interface ForkState {
  fork: Fork;
  env: string;
  activated: boolean;
  /** Time forks: ms until activation (negative once past). */
  remainingMs?: number;
  /** Height forks: blocks until activation from the chain's reference head (negative once past). */
  remainingBlocks?: number;
  /** The countdown stage reached (`T-7d`, `T-1d`, `T-1h`), undefined before T-7d or once active. */
  stage?: string;
  unready: UnreadyNode[];
  /** Nodes of the chain, for `fork_stalled` and the countdown line. */
  nodes: NodeHealth[];
}

/**
 * Every fork of the fleet file per environment that has nodes on its chain and network: countdown,
 * stage, and the nodes below the fork's minimum version for their client. A node whose client the
 * fork does not list, or that has not reported its version, is not judged (listed nowhere).
 */
export function forkStates(fleet: Fleet, health: FleetHealth, now: number): ForkState[] {
  const out: ForkState[] = [];
  for (const fork of fleet.forks) {
    const byEnv = new Map<string, NodeHealth[]>();
    for (const h of health.nodes) {
      const g = fleet.groups[h.group];
      if (g?.chain !== fork.chain || g.network !== fork.network) continue;
      byEnv.set(h.env, [...(byEnv.get(h.env) ?? []), h]);
    }
    for (const [env, nodes] of byEnv) {
      const ref = health.groups.find((g) => g.env === env && g.chain === fork.chain && g.network === fork.network && g.referenceHead !== undefined)?.referenceHead;
      const remainingMs = fork.time !== undefined ? fork.time - now : undefined;
      const remainingBlocks = fork.height !== undefined && ref !== undefined ? fork.height - ref : undefined;
      const activated = (remainingMs ?? remainingBlocks ?? 1) <= 0;
      const stage = activated || remainingMs === undefined ? undefined : FORK_STAGES.find((s) => remainingMs <= s.ms)?.label;
      out.push({
        fork, env, activated, nodes, unready: unreadyNodes(fleet, fork, nodes),
        ...(remainingMs !== undefined ? { remainingMs } : {}),
        ...(remainingBlocks !== undefined ? { remainingBlocks } : {}),
        ...(stage ? { stage } : {}),
      });
    }
  }
  return out;
}

function unreadyNodes(fleet: Fleet, fork: Fork, nodes: NodeHealth[]): UnreadyNode[] {
  const out: UnreadyNode[] = [];
  for (const h of nodes) {
    const s = h.snapshot;
    const client = s?.client ?? fleet.groups[h.group]?.client;
    const min = client ? fork.min_versions[client] : undefined;
    if (!client || !min || !s?.version) continue;
    if (compareVersions(s.version, min) < 0) out.push({ node: h.node, group: h.group, env: h.env, client, version: s.version, min });
  }
  return out;
}

/** How long after activation `fork_stalled` watches the chain. */
export function forkWatchMs(fleet: Fleet): number {
  return parseDuration(fleet.chain_truth.fork_watch);
}

/** `osaka in 6d 23h` / `osaka in 42 blocks` / `osaka active since 5m`: the status header's countdown. */
export function describeCountdown(f: ForkState): string {
  const where = `${f.fork.name} (${f.fork.chain}/${f.fork.network}, ${f.env})`;
  if (f.remainingMs !== undefined) return f.activated ? `${where} active since ${clock(-f.remainingMs)}` : `${where} in ${clock(f.remainingMs)}`;
  if (f.remainingBlocks !== undefined) {
    return f.activated ? `${where} active since block ${f.fork.height}` : `${where} in ${f.remainingBlocks} block${f.remainingBlocks === 1 ? '' : 's'} (at ${f.fork.height})`;
  }
  return `${where} at block ${f.fork.height} (head unknown)`;
}

/** `6d 23h`, `5h 02m`, `12m 30s`, `8s`. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s % 60}s`;
}
