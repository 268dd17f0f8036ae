import type { Thresholds } from '../fleet/fleet.schema.ts';
import type { Snapshot } from '../health/snapshot.ts';
import { sameVersion } from '../health/version.ts';

export interface GateVerdict {
  ok: boolean;
  /** Why it is not healthy yet, in words for the rollout thread. */
  reasons: string[];
}

/**
 * One health-gate check of a node after its playbook ran: it must answer RPC, report the target
 * version, not be syncing, be within `max_lag_blocks` of the reference head, have at least
 * `min_peers` peers and a head younger than `max_head_age`.
 */
export function gateVerdict(
  snap: Snapshot,
  want: { version: string; thresholds: Thresholds; referenceHead: number | undefined; now: number },
): GateVerdict {
  if (!snap.reachable) return { ok: false, reasons: [`RPC unreachable${snap.error ? `: ${snap.error}` : ''}`] };
  const reasons: string[] = [];
  if (!snap.version) reasons.push('reports no version');
  else if (!sameVersion(snap.version, want.version)) reasons.push(`reports version ${snap.version}, want ${want.version}`);
  if (snap.syncing) reasons.push(`syncing${snap.syncProgress !== undefined ? ` (${Math.round(snap.syncProgress * 100)}%)` : ''}`);
  const t = want.thresholds;
  if (snap.head !== undefined && want.referenceHead !== undefined) {
    const lag = want.referenceHead - snap.head;
    if (lag > t.max_lag_blocks) reasons.push(`${lag} blocks behind (max ${t.max_lag_blocks})`);
  }
  if (snap.peers !== undefined && snap.peers < t.min_peers) reasons.push(`${snap.peers} peers (min ${t.min_peers})`);
  if (snap.headTime !== undefined && want.now - snap.headTime > t.max_head_age) {
    reasons.push(`head is ${Math.round((want.now - snap.headTime) / 1000)}s old (max ${Math.round(t.max_head_age / 1000)}s)`);
  }
  return { ok: reasons.length === 0, reasons };
}
