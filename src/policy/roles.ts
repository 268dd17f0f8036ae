import type { Actor } from '../chat/chat-event.ts';
import { ROLES, type Fleet, type Role } from '../fleet/fleet.schema.ts';

/** Rank of a role: viewer 0 < operator 1 < approver 2 < admin 3. */
export function rank(role: Role): number {
  return ROLES.indexOf(role);
}

export function atLeast(role: Role | undefined, min: Role): boolean {
  return role !== undefined && rank(role) >= rank(min);
}

/** A scope's group for reads over a whole environment: grants limited to some of its groups count. */
export const ANY_GROUP = '*';

/** Where a command acts: an environment and/or a group (unknown parts left out). */
export interface Scope {
  env?: string;
  group?: string;
}

type Members = { slack: string[]; discord_users: string[]; discord_roles: string[]; console: string[]; telegram?: string[] };

function isMember(m: Members, actor: Actor): boolean {
  if (actor.platform === 'slack') return m.slack.includes(actor.id) || (actor.aliases ?? []).some((a) => m.slack.includes(a));
  if (actor.platform === 'discord') return m.discord_users.includes(actor.id) || actor.roleIds.some((r) => m.discord_roles.includes(r));
  if (actor.platform === 'telegram') return (m.telegram ?? []).includes(actor.id);
  return m.console.includes(actor.id) || m.console.includes('*');
}

function higher(a: Role | undefined, b: Role): Role {
  return a === undefined || rank(b) > rank(a) ? b : a;
}

/**
 * The highest role the fleet file gives this actor for `scope`, or undefined (no access at all):
 * the global `roles:` plus every `grants:` entry whose `envs` and `groups` cover the scope. A grant
 * limited to some environments does not hold where the environment is unknown. `'any'` takes every
 * grant (what help, autocomplete and App Home show a person at most).
 * Slack: `TEAM/USER`; Discord: the user id or any of the member's role ids; console: the user name or `*`.
 */
export function roleOf(fleet: Fleet, actor: Actor, scope: Scope | 'any' = {}): Role | undefined {
  let best: Role | undefined;
  for (const role of ROLES) {
    const members = fleet.roles[role];
    if (members && isMember(members, actor)) best = higher(best, role);
  }
  for (const g of fleet.grants ?? []) {
    if (!isMember(g, actor)) continue;
    if (scope !== 'any') {
      if (g.envs && (scope.env === undefined || !g.envs.includes(scope.env))) continue;
      if (g.groups && (scope.group === undefined || (scope.group !== ANY_GROUP && !g.groups.includes(scope.group)))) continue;
    }
    best = higher(best, g.role);
  }
  return best;
}

/** Where the actor's role differs by environment: `operator in dev, staging; viewer in prod` (undefined when it is the same everywhere). */
export function scopedRoleSummary(fleet: Fleet, actor: Actor): string | undefined {
  const byRole = new Map<string, string[]>();
  for (const env of Object.keys(fleet.environments)) {
    const role = roleOf(fleet, actor, { env, group: ANY_GROUP }) ?? 'no role';
    byRole.set(role, [...(byRole.get(role) ?? []), env]);
  }
  if (byRole.size <= 1) return undefined;
  return [...byRole].map(([role, envs]) => `${role} in ${envs.join(', ')}`).join('; ');
}

/** `platform:id`, the form stored in approvals, locks and the audit log. */
export function actorKey(actor: Actor): string {
  return `${actor.platform}:${actor.id}`;
}
