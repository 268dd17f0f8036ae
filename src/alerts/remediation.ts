import type { Fleet, FleetNode } from '../fleet/fleet.schema.ts';
import { ALERT_DEFAULTS } from './default-rules.ts';

type Remediation = NonNullable<Fleet['alerts']['remediation']>[number];

/** An action ready to run on one node. Commands come from the fleet file only, never from chat. */
export type ResolvedAction =
  | { name: string; kind: 'ssh'; argv: string[]; timeoutMs: number }
  | { name: string; kind: 'playbook'; playbook: string; timeoutMs: number }
  /** Built-in: host facts over SSH and a fresh RPC check, plus the group's own `diagnose` command if it has one. */
  | { name: 'diagnose'; kind: 'diagnose'; argv?: string[]; timeoutMs: number };

/** The remediation rule for an alert of `rule` on a node of this environment and group, if any. */
export function remedyFor(fleet: Fleet, rule: string, env: string, group: string | undefined): Remediation | undefined {
  if (!group) return undefined; // chain alerts have no single node to act on
  return (fleet.alerts.remediation ?? []).find(
    (r) => r.rule === rule && (!r.envs || r.envs.includes(env)) && (!r.groups || r.groups.includes(group)),
  );
}

/** The action called `name` for this node's group, or undefined when the fleet file defines none. */
export function actionFor(fleet: Fleet, name: string, node: FleetNode): ResolvedAction | undefined {
  const found = (fleet.alerts.actions ?? []).find((a) => a.name === name && (!a.groups || a.groups.includes(node.group)));
  const timeoutMs = found?.timeout ?? ALERT_DEFAULTS.actionTimeoutMs;
  if (name === 'diagnose') return { name: 'diagnose', kind: 'diagnose', timeoutMs, ...(found?.ssh ? { argv: [...found.ssh] } : {}) };
  if (!found) return undefined;
  if (found.ssh) return { name, kind: 'ssh', argv: [...found.ssh], timeoutMs };
  return { name, kind: 'playbook', playbook: found.playbook!, timeoutMs };
}

/** Names of the actions defined for a node's group (for refusals that list what exists). */
export function actionNames(fleet: Fleet, node: FleetNode): string[] {
  const names = (fleet.alerts.actions ?? []).filter((a) => !a.groups || a.groups.includes(node.group)).map((a) => a.name);
  return [...new Set(['diagnose', ...names])];
}
