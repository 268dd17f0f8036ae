import { isAbsolute, resolve } from 'node:path';
import type { ResolvedAction } from '../../src/alerts/remediation.ts';
import type { FleetNode } from '../../src/fleet/fleet.schema.ts';
import { runDiagnose, type Outcome } from './diagnose.step.ts';
import { tail } from './output-tail.ts';
import type { RemediateDeps } from './remediate.processor.ts';

/** SSH reachability is checked with a command that changes nothing. */
const PROBE = ['true'];

/**
 * `run <action> <node> --dry-run`: show what would run and check that it could, changing nothing on
 * the node. A command: the node answers over SSH (host key pinned) and the command is shown, not run.
 * A playbook: `ansible-playbook --check --diff` on that node. Diagnostics change nothing: they run.
 */
export async function dryRunAction(deps: RemediateDeps, action: ResolvedAction, node: FleetNode, log: (line: string) => Promise<void>): Promise<Outcome> {
  if (action.kind === 'diagnose') return runDiagnose(deps, action, node);
  if (action.kind === 'ssh') {
    const cmd = `\`${action.argv.join(' ')}\``;
    if (!deps.ssh) return { ok: false, text: `dry run of ${action.name} on ${node.name}: this worker has no SSH runner` };
    const r = await deps.ssh.run(node, PROBE, { timeoutMs: Math.min(action.timeoutMs, 30_000) });
    const reachable = !r.timedOut && r.code === 0;
    await log(`dry run: would run ${cmd}; SSH check \`${PROBE.join(' ')}\` ${r.timedOut ? 'timed out' : `exited ${r.code ?? 'without a code'}`}`);
    return {
      ok: reachable,
      text: `dry run of ${action.name} on ${node.name}: would run ${cmd} over SSH — ${reachable ? 'the node answers over SSH with its pinned host key' : `the SSH check failed (${r.stderr.trim().slice(0, 120) || 'no answer'})`}; nothing was run`,
    };
  }
  if (!deps.playbooks || !deps.fleetDir) return { ok: false, text: `dry run of ${action.name} on ${node.name}: playbook actions need the Ansible runner, which this worker does not have` };
  const playbook = isAbsolute(action.playbook) ? action.playbook : resolve(deps.fleetDir, action.playbook);
  const r = await deps.playbooks.run({
    fleet: deps.fleet(), playbook, nodes: [node], check: true, extraVars: { chainops_action: action.name, chainops_node: node.name },
    timeoutMs: action.timeoutMs, onLine: (line) => void log(line),
  });
  const stats = r.hosts[node.name];
  const diff = r.diffs.map((d) => `${d.task}\n${d.diff}`).join('\n\n');
  return {
    ok: r.ok,
    text: `dry run of ${action.name} on ${node.name}: ansible-playbook --check --diff ${action.playbook} ${r.ok ? `would change ${stats?.changed ?? 0} task(s)` : `failed (exit ${r.rc})`}; nothing was changed`,
    ...(diff ? { output: tail(diff) } : {}),
  };
}
