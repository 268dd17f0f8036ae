import { isAbsolute, resolve } from 'node:path';
import type { FleetNode } from '../../src/fleet/fleet.schema.ts';
import { countsText } from '../../src/provision/plan-summary.ts';
import type { SavedPlan } from '../../src/provision/terraform.port.ts';
import type { ChangeSpec } from './change-spec.ts';
import { healthGate } from './health-gate.ts';
import { lineSink, readInventory, type TfJob } from './tf-job.ts';

/** What an applied provisioning job reports as its result. */
export interface AppliedResult {
  applied: true;
  created: string[];
  removed?: string;
  bootstrap: string;
  health: Array<{ node: string; ok: boolean; detail: string }>;
}

/**
 * Apply exactly the saved plan, then: read the outputs into the inventory, bootstrap new nodes with
 * the group's playbook, and hold a health gate until each new node answers RPC and is synced.
 */
export async function applyAndFinish(t: TfJob, saved: SavedPlan, spec: ChangeSpec): Promise<AppliedResult> {
  const { reporter } = t;
  await t.beforeStep(); // a run that lost its lock or met a freeze never applies
  t.applyStarted = true;
  await reporter.status(`applying plan ${saved.hash.slice(0, 12)}`);
  await t.tf.apply(t.dir, saved.file, lineSink(t));
  await reporter.step(`applied: ${countsText(saved.summary)}`);

  await t.beforeStep();
  const inventory = await readInventory(t);
  const names = new Set(inventory.map((n) => n.node.name));
  await reporter.step(`inventory: ${inventory.length} node${inventory.length === 1 ? '' : 's'} in ${t.env}/${t.group} (${[...names].join(', ') || 'none'})`);
  if (spec.removed) {
    if (names.has(spec.removed)) throw new Error(`${spec.removed} is still in the output chainops_nodes after the destroy — check the module`);
    await reporter.status(`done — ${spec.removed} destroyed and removed from the inventory`, { severity: 'ok', final: true });
    return { applied: true, created: [], removed: spec.removed, bootstrap: 'not needed', health: [] };
  }
  const missing = spec.created.filter((n) => !names.has(n));
  if (missing.length) throw new Error(`Terraform applied, but the output chainops_nodes lacks ${missing.join(', ')} — check the module's output`);
  const created = inventory.filter((n) => spec.created.includes(n.node.name)).map((n) => n.node);

  await t.beforeStep();
  const bootstrap = await runBootstrap(t, created);
  await reporter.step(`bootstrap: ${bootstrap}`);

  await reporter.status(`health gate: waiting for ${created.map((n) => n.name).join(', ')} to answer RPC`);
  const health = await healthGate(t.deps, t.deps.fleet(), created, (line) => reporter.line(line));
  for (const h of health) await reporter.step(`${h.node}: ${h.detail}`, h.ok ? 'info' : 'warn');
  const bad = health.filter((h) => !h.ok);
  if (bad.length) {
    await reporter.status(`created, but ${bad.map((h) => h.node).join(', ')} did not pass the health gate`, { severity: 'error', final: true });
    throw new Error(`${bad.map((h) => `${h.node}: ${h.detail}`).join('; ')} — the nodes exist and are in the inventory; check them with /chainops health`);
  }
  await reporter.status(`done — ${created.length} node${created.length === 1 ? '' : 's'} added and answering RPC`, { severity: 'ok', final: true });
  return { applied: true, created: spec.created, bootstrap, health: health.map(({ node, ok, detail }) => ({ node, ok, detail })) };
}

/**
 * The group's playbook on the new nodes (Ansible over SSH with pinned host keys). Nodes the
 * playbook cannot reach, a group without a playbook, or a worker without Ansible are reported as
 * "no playbook run" with the reason — never as done.
 */
async function runBootstrap(t: TfJob, nodes: FleetNode[]): Promise<string> {
  const group = t.fleet.groups[t.group]!;
  if (!group.playbook) return 'no playbook run — the group has no `playbook:` in the fleet file';
  if (!t.pd.playbooks) return 'no playbook run — this worker has no Ansible runner';
  const reachable = nodes.filter((n) => n.ssh?.host_key);
  const skipped = nodes.filter((n) => !n.ssh?.host_key).map((n) => n.name);
  if (reachable.length === 0) return `no playbook run — ${skipped.join(', ')} report no ssh_host/ssh_host_key in chainops_nodes`;
  const playbook = isAbsolute(group.playbook) ? group.playbook : resolve(t.pd.fleetDir, group.playbook);
  await t.reporter.status(`bootstrap: ${group.playbook} on ${reachable.map((n) => n.name).join(', ')}`);
  const result = await t.pd.playbooks.run({
    fleet: t.deps.fleet(),
    playbook,
    nodes: reachable,
    extraVars: { chainops_version: group.desired_version, chainops_bootstrap: true },
    onLine: (line) => t.reporter.line(t.tf.redactor.redact(line)),
  });
  if (!result.ok) {
    const why = result.failures.slice(0, 5).map((f) => `${f.host}: ${f.task} — ${f.msg}`).join('; ') || `ansible-playbook exit ${result.rc}`;
    throw new Error(`bootstrap playbook failed: ${t.tf.redactor.redact(why)}`);
  }
  return `${group.playbook} ran on ${reachable.map((n) => n.name).join(', ')}${skipped.length ? `; not on ${skipped.join(', ')} (no ssh in outputs)` : ''}`;
}
