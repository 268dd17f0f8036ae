import { z } from 'zod';
import type { Actor, Conversation } from '../../src/chat/chat-event.ts';
import { VERBS } from '../../src/command/grammar.ts';
import { channelOf } from './telegram-chat.port.ts';

/** The slice of Telegram's Update ChainOps reads (core.telegram.org/bots/api#update). */
const user = z.object({ id: z.number().int(), is_bot: z.boolean().optional(), username: z.string().optional(), first_name: z.string().optional() });
const chat = z.object({ id: z.number().int(), type: z.string() });
const message = z.object({
  message_id: z.number().int(),
  chat,
  from: user.optional(),
  text: z.string().max(4096).optional(),
  message_thread_id: z.number().int().optional(),
  is_topic_message: z.boolean().optional(),
});
export const updateSchema = z.object({
  update_id: z.number().int(),
  message: message.optional(),
  callback_query: z.object({ id: z.string(), from: user, message: message.optional(), data: z.string().max(64).optional() }).optional(),
});
export type TgUpdate = z.infer<typeof updateSchema>;
export type TgMessage = z.infer<typeof message>;

const SHORT_FORMS = new Set<string>(VERBS);

/**
 * The command text of a message, or undefined when it is not for us: `/chainops …`, a short form
 * such as `/status …` (Telegram's command menu only offers single words), `/start` as help; any of
 * them may be addressed `/cmd@BotName`, and then only to this bot.
 */
export function commandText(text: string | undefined, botUsername: string): string | undefined {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+([\s\S]*))?$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const [, cmd, to, rest = ''] = m;
  if (to && to.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  const verb = cmd!.toLowerCase();
  if (verb === 'chainops') return rest.trim() || 'help';
  if (verb === 'start') return 'help';
  if (SHORT_FORMS.has(verb)) return `${verb} ${rest}`.trim();
  return undefined;
}

export function telegramActor(from: z.infer<typeof user>): Actor {
  const name = from.username ? `@${from.username}` : from.first_name;
  return { platform: 'telegram', id: String(from.id), roleIds: [], ...(name ? { displayName: name } : {}) };
}

/** Where a message is: its chat, and its forum topic when it is in one. */
export function conversationOf(m: TgMessage, threadId?: number): Conversation {
  return { platform: 'telegram', channelId: channelOf(m.chat.id, m.is_topic_message ? m.message_thread_id : undefined), ...(threadId ? { threadId: String(threadId) } : {}) };
}
