import type { Actor } from '../chat/chat-event.ts';
import type { Command } from '../command/command.types.ts';
import { specOf } from '../command/grammar.ts';
import type { Fleet, Role } from '../fleet/fleet.schema.ts';
import { atLeast, roleOf } from './roles.ts';

export type Decision = { ok: true; role: Role } | { ok: false; message: string };

/** The least role a parsed command needs (sub-actions such as `rollout abort` may need more). */
export function requiredRole(command: Command): Role {
  const spec = specOf(command.verb);
  const action = command.values['action'];
  if (typeof action === 'string' && spec.subRoles?.[action]) return spec.subRoles[action]!;
  return spec.minRole;
}

/** May this actor run this command? A refusal says which role is needed and who grants it. */
export function authorize(fleet: Fleet, actor: Actor, command: Command): Decision {
  const role = roleOf(fleet, actor);
  const needed = requiredRole(command);
  if (!role) {
    return { ok: false, message: `you have no ChainOps role yet — ask an admin to add your ${idHint(actor)} under \`roles:\` in the fleet file` };
  }
  if (!atLeast(role, needed)) {
    return { ok: false, message: `\`${command.verb}\` needs the ${needed} role; you are ${article(role)} ${role}. Ask an admin to grant it in the fleet file.` };
  }
  return { ok: true, role };
}

function idHint(actor: Actor): string {
  if (actor.platform === 'slack') return `Slack id \`${actor.id}\``;
  if (actor.platform === 'discord') return `Discord user id \`${actor.id}\` (or one of your roles)`;
  return `console user name \`${actor.id}\``;
}

function article(role: Role): string {
  return /^[aeiou]/.test(role) ? 'an' : 'a';
}
