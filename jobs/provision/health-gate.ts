import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet, FleetNode } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import type { WorkerDeps } from '../worker-deps.ts';

export interface GateResult {
  node: string;
  ok: boolean;
  /** `answers RPC, head 12, synced`, or why it did not pass. */
  detail: string;
  last?: Snapshot;
}

function describe(s: Snapshot): string {
  if (!s.reachable) return `not answering (${s.error ?? 'unreachable'})`;
  if (s.syncing) return `syncing${s.syncProgress !== undefined ? ` ${(s.syncProgress * 100).toFixed(1)}%` : ''}${s.head !== undefined ? `, head ${s.head}` : ''}`;
  return `answers RPC${s.version ? ` (${s.client ?? 'client'} ${s.version})` : ''}${s.head !== undefined ? `, head ${s.head}` : ''}, synced`;
}

/**
 * Wait until each new node answers RPC and has finished syncing, `health_gate.consecutive` checks in
 * a row, within `health_gate.timeout`; while a node syncs its progress is reported. Every check is
 * stored as the node's snapshot, so `/chainops health` shows the same answer.
 */
export async function healthGate(deps: WorkerDeps, fleet: Fleet, nodes: FleetNode[], report: (line: string) => void): Promise<GateResult[]> {
  const gate = fleet.rollout.health_gate;
  return Promise.all(
    nodes.map(async (node): Promise<GateResult> => {
      const group = fleet.groups[node.group];
      if (!group) return { node: node.name, ok: false, detail: `group ${node.group} is not defined` };
      const deadline = Date.now() + gate.timeout;
      let streak = 0;
      let lastText = '';
      let last: Snapshot | undefined;
      for (;;) {
        last = await deps.checkerFor(group.rpc.kind).check(node, group, { timeoutMs: fleet.health.timeout });
        await deps.state.putSnapshots([last]);
        const text = describe(last);
        if (text !== lastText) report(`${node.name}: ${text}`);
        lastText = text;
        streak = last.reachable && !last.syncing ? streak + 1 : 0;
        if (streak >= gate.consecutive) return { node: node.name, ok: true, detail: text, last };
        if (Date.now() + gate.interval > deadline) return { node: node.name, ok: false, detail: `${text} after ${Math.round(gate.timeout / 1000)} s`, last };
        await sleep(gate.interval);
      }
    }),
  );
}
