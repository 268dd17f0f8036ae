import type { FleetNode } from '../../src/fleet/fleet.schema.ts';
import { errorMessage } from '../../src/errors.ts';
import type { ResolvedAction } from '../../src/alerts/remediation.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import { tail } from './output-tail.ts';

/** What an action did, for the thread: a line, and optionally some output in a code block. */
export interface Outcome {
  ok: boolean;
  text: string;
  output?: string;
}

type DiagnoseDeps = Pick<WorkerDeps, 'fleet' | 'checkerFor' | 'ssh' | 'clock'>;

/**
 * Built-in diagnostics of one node: a fresh RPC check, host facts over SSH (when the node has
 * `ssh:`), and the output of the group's own `diagnose` command when the fleet file defines one.
 */
export async function runDiagnose(deps: DiagnoseDeps, action: Extract<ResolvedAction, { kind: 'diagnose' }>, node: FleetNode): Promise<Outcome> {
  const fleet = deps.fleet();
  const group = fleet.groups[node.group];
  const lines: string[] = [];
  let ok = true;
  if (group) {
    const s = await deps.checkerFor(group.rpc.kind).check(node, group, { timeoutMs: fleet.health.timeout });
    if (!s.reachable) ok = false;
    lines.push(s.reachable
      ? `rpc: ${s.client ?? '?'} ${s.version ?? '?'} · head ${s.head ?? '?'}${s.headTime ? ` (${Math.round((deps.clock.now() - s.headTime) / 1000)}s old)` : ''} · peers ${s.peers ?? '?'} · syncing ${s.syncing ?? '?'} · ${Math.round(s.latencyMs)}ms`
      : `rpc: unreachable — ${s.error ?? 'no answer'}`);
    for (const w of s.warnings) lines.push(`rpc warning: ${w}`);
  }
  if (node.ssh && deps.ssh) {
    try {
      const f = await deps.ssh.hostFacts(node, { timeoutMs: Math.min(action.timeoutMs, 30_000) });
      lines.push(`host: ${f.cpus} CPUs · memory ${f.memAvailableMiB}/${f.memTotalMiB} MiB free · disk ${f.diskUsedPct}% of ${f.diskTotalGiB} GiB used · load ${f.load1}${f.nicSpeedMbps ? ` · NIC ${f.nicSpeedMbps} Mbit/s` : ''}`);
    } catch (err) {
      ok = false;
      lines.push(`host: ${errorMessage(err)}`);
    }
    if (action.argv) {
      try {
        const r = await deps.ssh.run(node, action.argv, { timeoutMs: action.timeoutMs });
        lines.push(`$ ${action.argv.join(' ')} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}`, r.stdout.trim(), r.stderr.trim());
      } catch (err) {
        lines.push(`$ ${action.argv.join(' ')}: ${errorMessage(err)}`);
      }
    }
  } else lines.push(node.ssh ? 'host: this worker has no SSH runner' : 'host: no ssh: settings for this node, so no host facts');
  return { ok, text: `diagnostics of ${node.name}${ok ? '' : ' found problems'}`, ...withOutput(tail(lines.filter(Boolean).join('\n'), 2_500)) };
}

function withOutput(output: string | undefined): { output?: string } {
  return output ? { output } : {};
}
