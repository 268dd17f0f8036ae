import type { Actor, ChatEvent } from '../chat/chat-event.ts';
import type { Responder } from '../chat/dispatch.ts';
import type { Command } from '../command/command.types.ts';
import type { Message } from '../chat/message.ts';
import type { Fleet, Role } from '../fleet/fleet.schema.ts';
import { actorKey } from '../policy/roles.ts';
import type { CoreDeps } from './deps.ts';

/** The one object every handler gets (Probot's Context): who, where, what, and how to answer. */
export interface HandlerContext {
  event: ChatEvent;
  actor: Actor;
  /** `platform:id` of the actor. */
  who: string;
  role: Role;
  command: Command;
  fleet: Fleet;
  deps: CoreDeps;
  respond: Responder;
  /**
   * Publish a message the bot owns under `key` instead of answering with it (`postOwned`): set where
   * no chat connection answers, e.g. a promotion stage started by a worker, whose approval card and
   * job message then go through the outbox into the promotion's thread.
   */
  publishOwned?: (key: string, message: Message) => Promise<void>;
}

export function makeContext(event: ChatEvent, command: Command, role: Role, deps: CoreDeps, respond: Responder): HandlerContext {
  return { event, actor: event.actor, who: actorKey(event.actor), role, command, fleet: deps.fleet(), deps, respond };
}

/** Read a validated string value of the command. */
export function str(ctx: HandlerContext, name: string): string | undefined {
  const v = ctx.command.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Read a validated number value of the command. */
export function num(ctx: HandlerContext, name: string): number | undefined {
  const v = ctx.command.values[name];
  return typeof v === 'number' ? v : undefined;
}
