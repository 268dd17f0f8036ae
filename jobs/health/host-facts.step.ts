import { errorMessage } from '../../src/errors.ts';
import type { FleetNode } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import type { HostSnapshot } from '../../src/ports/ssh.port.ts';
import type { WorkerDeps } from '../worker-deps.ts';

export type HostDeps = Pick<WorkerDeps, 'fleet' | 'state' | 'clock' | 'logger' | 'ssh'>;

/** SSH sessions open at once for host facts (they are slow and the schedule is relaxed). */
const CONCURRENCY = 16;

/**
 * Gather host facts over SSH for nodes that have `ssh:` settings and store them with each node's
 * latest snapshot. A node that fails keeps its error (its disk rule then has no data, so an alert
 * neither fires nor resolves on a guess). Nodes never checked over RPC yet are left for next time.
 */
export async function gatherHostFactsStep(deps: HostDeps, only?: string[]): Promise<{ gathered: number; failed: number; skipped: string | undefined }> {
  const fleet = deps.fleet();
  const nodes = fleet.nodes.filter((n) => n.ssh && (!only || only.includes(n.name)));
  if (!deps.ssh) return { gathered: 0, failed: 0, skipped: 'no SSH runner in this worker' };
  if (nodes.length === 0) return { gathered: 0, failed: 0, skipped: 'no node has ssh: settings' };
  const ssh = deps.ssh;
  const results = new Map<string, HostSnapshot>();
  let next = 0;
  const worker = async () => {
    while (next < nodes.length) {
      const node = nodes[next++] as FleetNode;
      try {
        const facts = await ssh.hostFacts(node, { timeoutMs: Math.max(5_000, fleet.health.timeout * 4) });
        results.set(node.name, { at: deps.clock.now(), facts });
      } catch (err) {
        results.set(node.name, { at: deps.clock.now(), error: errorMessage(err).slice(0, 300) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, nodes.length) }, worker));
  const latest = await deps.state.getSnapshots([...results.keys()]);
  const merged: Snapshot[] = latest.map((s) => ({ ...s, host: results.get(s.node)! }));
  await deps.state.putSnapshots(merged);
  const failed = [...results.values()].filter((r) => r.error).length;
  if (failed) deps.logger.warn({ failed }, 'host facts could not be gathered from some nodes');
  return { gathered: results.size - failed, failed, skipped: undefined };
}

/** Give fresh RPC snapshots the host facts their node had (gathered on the slower schedule). */
export function carryHostFacts(fresh: Snapshot[], previous: readonly Snapshot[]): Snapshot[] {
  const host = new Map(previous.filter((s) => s.host).map((s) => [s.node, s.host!]));
  return fresh.map((s) => (host.has(s.node) && !s.host ? { ...s, host: host.get(s.node)! } : s));
}
