import type { Actor, Conversation } from '../chat/chat-event.ts';
import type { Command } from '../command/command.types.ts';
import { specOf } from '../command/grammar.ts';
import type { Fleet, Role } from '../fleet/fleet.schema.ts';
import { ANY_GROUP, atLeast, roleOf, type Scope } from './roles.ts';

export type Decision = { ok: true; role: Role } | { ok: false; message: string };

/** The least role a parsed command needs (sub-actions such as `rollout abort` may need more). */
export function requiredRole(command: Command): Role {
  const spec = specOf(command.verb);
  const action = command.values['action'];
  if (typeof action === 'string' && spec.subRoles?.[action]) return spec.subRoles[action]!;
  return spec.minRole;
}

/**
 * May this actor run this command here? The role is the one that holds in the command's scope
 * (environment and group; see `grants:`); a read with no environment takes the actor's best role
 * anywhere, a change with no environment only the global `roles:`. Then the environment's channel
 * rules (`restrict:`). A refusal says which role or channel is needed and who grants it.
 */
export function authorize(fleet: Fleet, actor: Actor, command: Command, where: { scope?: Scope & { needs?: Role }; conversation?: Conversation } = {}): Decision {
  const { needs, ...scope } = where.scope ?? {};
  const needed = needs && !atLeast(requiredRole(command), needs) ? needs : requiredRole(command);
  const unscoped = scope.env === undefined && scope.group === undefined;
  // Reads: with no scope, the best role anywhere; over a whole environment, any group's grant there.
  const read = needed === 'viewer';
  const role = roleOf(fleet, actor, read && unscoped ? 'any' : read && scope.group === undefined ? { ...scope, group: ANY_GROUP } : scope);
  if (!role) {
    if (roleOf(fleet, actor, 'any') && unscoped) {
      return { ok: false, message: `\`${command.verb}\` is not tied to one environment, so it needs a role under \`roles:\`; your grants hold only in some environments or groups — ask an admin` };
    }
    if (roleOf(fleet, actor, 'any')) {
      return { ok: false, message: `you have no ChainOps role in ${scopeText(scope)} — ask an admin for a grant there (\`grants:\` in the fleet file)` };
    }
    return { ok: false, message: `you have no ChainOps role yet — ask an admin to add your ${idHint(actor)} under \`roles:\` in the fleet file` };
  }
  if (!atLeast(role, needed)) {
    const here = unscoped ? '' : ` in ${scopeText(scope)}`;
    return { ok: false, message: `\`${command.verb}\` needs the ${needed} role; you are ${article(role)} ${role}${here}. Ask an admin to grant it in the fleet file.` };
  }
  const channel = channelRefusal(fleet, command, scope, where.conversation);
  if (channel) return { ok: false, message: channel };
  return { ok: true, role };
}

/** `restrict:` of the environment: these commands only from the listed channels. */
function channelRefusal(fleet: Fleet, command: Command, scope: Scope, conversation?: Conversation): string | undefined {
  if (!scope.env || !conversation) return undefined;
  for (const rule of fleet.environments[scope.env]?.restrict ?? []) {
    if (!rule.commands.includes(command.verb)) continue;
    const allowed = rule[conversation.platform];
    if (allowed.includes(conversation.channelId)) continue;
    const list = allowed.length ? allowed.map((c) => (conversation.platform === 'console' ? c : `<#${c}>`)).join(', ') : `no ${conversation.platform} channel`;
    return `\`${command.verb}\` in ${scope.env} may only be run from ${list} — run it there (environments.${scope.env}.restrict in the fleet file)`;
  }
  return undefined;
}

function scopeText(scope: Scope): string {
  return [scope.env && `environment ${scope.env}`, scope.group && `group ${scope.group}`].filter(Boolean).join(', ') || 'this scope';
}

function idHint(actor: Actor): string {
  if (actor.platform === 'slack') return `Slack id \`${actor.id}\``;
  if (actor.platform === 'discord') return `Discord user id \`${actor.id}\` (or one of your roles)`;
  return `console user name \`${actor.id}\``;
}

function article(role: Role): string {
  return /^[aeiou]/.test(role) ? 'an' : 'a';
}
