import type { Conversation } from '../chat/chat-event.ts';
import type { Message } from '../chat/message.ts';
import type { HandlerContext } from './context.ts';

/** Where the event came from, as the conversation a job or approval will report to. */
export function conversationOf(ctx: HandlerContext): Conversation {
  return ctx.event.conversation;
}

/** Answer with a message the bot will edit later under `key` (approval, job). */
export async function postOwned(ctx: HandlerContext, key: string, message: Message): Promise<void> {
  if (ctx.publishOwned) return ctx.publishOwned(key, message);
  const ref = await ctx.respond(message);
  if (ref) await ctx.deps.state.setMessageRef(key, ref);
}

/** Edit the message owned under `key` (or post it in the conversation if it was never posted). */
export async function updateOwned(ctx: HandlerContext, key: string, message: Message): Promise<void> {
  await ctx.deps.outbox.publish({ op: 'upsert', key, conversation: conversationOf(ctx), message });
}
