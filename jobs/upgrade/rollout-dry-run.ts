import type { Fleet, FleetNode } from '../../src/fleet/fleet.schema.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import type { RolloutReport } from './rollout-report.ts';
import { Stop } from './rollout-stop.ts';

/** `upgrade --dry-run`: `ansible-playbook --check --diff` on every target; the diff goes to the thread. */
export async function rolloutDryRun(deps: WorkerDeps, fleet: Fleet, rec: RolloutRecord, report: RolloutReport, p: { playbook: string; node: (name: string) => FleetNode }): Promise<void> {
  const result = await deps.playbooks.run({
    fleet, playbook: p.playbook, nodes: rec.nodes.map((n) => p.node(n.name)), check: true,
    extraVars: { chainops_version: rec.version, chainops_rollout: rec.id },
    onLine: (line) => void report.log(line),
  });
  for (const n of rec.nodes) {
    const stats = result.hosts[n.name];
    n.detail = stats ? `would change ${stats.changed} task(s)${stats.failures ? `, ${stats.failures} failed` : ''}` : 'not reached';
  }
  const diff = result.diffs.map((d) => `${d.host} · ${d.task}\n${d.diff}`).join('\n\n') || '(no differences reported)';
  await deps.outbox.publish({ op: 'thread', key: rec.reportKey, conversation: rec.conversation, message: { text: `Dry run diff for ${rec.id}`, blocks: [{ type: 'text', text: `ansible-playbook --check --diff (rc ${result.rc}):` }, { type: 'code', text: diff }] } });
  if (!result.ok) throw new Stop('failed', `check run failed: ${result.failures.map((f) => `${f.host}: ${f.msg}`).join('; ') || `rc ${result.rc}`}`, 'error');
}
