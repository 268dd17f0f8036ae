import { UserError, errorMessage } from '../errors.ts';
import type { Fleet, FleetNode, NodeGroup } from '../fleet/fleet.schema.ts';
import type { ChainChecker } from '../ports/rpc.port.ts';
import type { Snapshot } from './snapshot.ts';

export type CheckerFor = (kind: NodeGroup['rpc']['kind']) => ChainChecker;

/** Options of one sweep. */
export interface SweepOptions {
  /** Checks in flight at once (the fleet file's `health.concurrency`, default 256 there). */
  concurrency: number;
  /** Per-node budget handed to the checker (the fleet file's `health.timeout`). */
  timeoutMs: number;
  /** Only these node names; default every node of the fleet. */
  nodes?: string[];
  /** Stamps the snapshots the sweep writes itself (a throw or a hung checker). */
  now: () => number;
  /** Extra time a checker gets past `timeoutMs` before the sweep gives up on it; default 1000 ms. */
  graceMs?: number;
}

interface InFlight {
  deadline: number;
  give: (s: Snapshot) => void;
  node: FleetNode;
  group: NodeGroup;
}

/**
 * Checks the fleet's nodes with a bounded pool of workers and returns one snapshot per node, in
 * fleet order. A checker that throws or hangs yields `reachable: false`; the sweep itself never fails.
 */
export async function sweep(fleet: Fleet, checkerFor: CheckerFor, opts: SweepOptions): Promise<Snapshot[]> {
  const nodes = selectNodes(fleet, opts.nodes);
  const results: Snapshot[] = new Array(nodes.length);
  const inFlight = new Set<InFlight>();
  const grace = opts.graceMs ?? 1_000;
  // One watchdog for the whole sweep instead of a timer per node: it scans at most `concurrency` entries.
  const tick = Math.max(20, Math.min(500, Math.floor((opts.timeoutMs + grace) / 10)));
  const watchdog = setInterval(() => {
    const t = performance.now();
    for (const f of inFlight) {
      if (t >= f.deadline) f.give(failed(f.node, f.group, opts.now(), `check did not finish within ${opts.timeoutMs + grace} ms`));
    }
  }, tick);
  // Deliberately not unref'd: a checker stuck on a promise that nothing drives must still be timed out.

  const checkOne = (node: FleetNode): Promise<Snapshot> => {
    const group = fleet.groups[node.group];
    if (!group) return Promise.resolve(failed(node, undefined, opts.now(), `group ${node.group} is not defined`));
    return new Promise<Snapshot>((resolve) => {
      const entry: InFlight = {
        deadline: performance.now() + opts.timeoutMs + grace,
        node,
        group,
        give: (s) => {
          if (!inFlight.delete(entry)) return; // already settled: a late answer is dropped
          resolve(s);
        },
      };
      inFlight.add(entry);
      let pending: Promise<Snapshot>;
      try {
        pending = checkerFor(group.rpc.kind).check(node, group, { timeoutMs: opts.timeoutMs });
      } catch (err) {
        pending = Promise.reject(err);
      }
      pending.then(
        (s) => entry.give(s),
        (err: unknown) => entry.give(failed(node, group, opts.now(), `checker threw: ${errorMessage(err).slice(0, 160)}`)),
      );
    });
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < nodes.length) {
      const i = next++;
      results[i] = await checkOne(nodes[i] as FleetNode);
    }
  };
  const width = Math.max(1, Math.min(Math.floor(opts.concurrency), nodes.length));
  try {
    await Promise.all(Array.from({ length: width }, worker));
  } finally {
    clearInterval(watchdog);
  }
  return results;
}

function selectNodes(fleet: Fleet, names: string[] | undefined): FleetNode[] {
  if (!names) return fleet.nodes;
  const byName = new Map(fleet.nodes.map((n) => [n.name, n]));
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) {
    throw new UserError('not_found', `no node named ${missing.join(', ')} in fleet ${fleet.name}; check the name against the fleet file`);
  }
  const wanted = new Set(names);
  return fleet.nodes.filter((n) => wanted.has(n.name));
}

function failed(node: FleetNode, group: NodeGroup | undefined, at: number, error: string): Snapshot {
  return {
    node: node.name,
    group: node.group,
    env: node.env,
    chain: group?.chain ?? 'unknown',
    network: group?.network ?? 'unknown',
    at,
    reachable: false,
    error,
    latencyMs: 0,
    warnings: [],
  };
}
