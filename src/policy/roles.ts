import type { Actor } from '../chat/chat-event.ts';
import { ROLES, type Fleet, type Role } from '../fleet/fleet.schema.ts';

/** Rank of a role: viewer 0 < operator 1 < approver 2 < admin 3. */
export function rank(role: Role): number {
  return ROLES.indexOf(role);
}

export function atLeast(role: Role | undefined, min: Role): boolean {
  return role !== undefined && rank(role) >= rank(min);
}

/**
 * The highest role the fleet file gives this actor, or undefined (no access at all).
 * Slack: `TEAM/USER`; Discord: the user id or any of the member's role ids; console: the user name or `*`.
 */
export function roleOf(fleet: Fleet, actor: Actor): Role | undefined {
  let best: Role | undefined;
  for (const role of ROLES) {
    const members = fleet.roles[role];
    if (!members) continue;
    let hit = false;
    if (actor.platform === 'slack') hit = members.slack.includes(actor.id);
    else if (actor.platform === 'discord') {
      hit = members.discord_users.includes(actor.id) || actor.roleIds.some((r) => members.discord_roles.includes(r));
    } else if (actor.platform === 'telegram') hit = members.telegram.includes(actor.id);
    else hit = members.console.includes(actor.id) || members.console.includes('*');
    if (hit && (best === undefined || rank(role) > rank(best))) best = role;
  }
  return best;
}

/** `platform:id`, the form stored in approvals, locks and the audit log. */
export function actorKey(actor: Actor): string {
  return `${actor.platform}:${actor.id}`;
}
