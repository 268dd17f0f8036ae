/**
 * `!chainops …` typed as a plain message (e.g. `!chainops ack al-7k2m` by on-call in an alert thread).
 * Needs the privileged Message Content intent, so it is off unless asked for. Answers are posted as
 * replies in the same channel or thread; a channel message cannot be ephemeral.
 */
import { Routes } from 'discord.js';
import type { Conversation } from '../../src/chat/chat-event.ts';
import type { Responder } from '../../src/chat/dispatch.ts';
import { discordBody } from './discord-chat.port.ts';
import { claim, type InteractionDeps } from './discord-interaction.handler.ts';
import { actorOf, messageCreateSlice } from './discord-interaction.schema.ts';

const PREFIX_RE = /^!chainops(?:\s|$)/i;

/** Where a channel sits: a thread's parent, when the channel is a thread. */
export type ThreadParentOf = (channelId: string) => string | undefined;

export async function handleMessageCreate(raw: unknown, deps: InteractionDeps, parentOf: ThreadParentOf): Promise<void> {
  const parsed = messageCreateSlice.safeParse(raw);
  if (!parsed.success) return;
  const m = parsed.data;
  // Other bots and webhooks (our own posts included) never run commands.
  if (m.author.bot || m.webhook_id || !PREFIX_RE.test(m.content.trim()) || !m.guild_id) return;
  const actor = actorOf(m.member ? { ...m.member, user: m.author } : undefined, m.author);
  if (!actor || !(await claim(deps, `discord:message:${m.id}`))) return;
  const parent = parentOf(m.channel_id);
  const conversation: Conversation = parent
    ? { platform: 'discord', channelId: parent, threadId: m.channel_id }
    : { platform: 'discord', channelId: m.channel_id };
  const respond: Responder = async (message) => {
    const posted = (await deps.rest.post(Routes.channelMessages(m.channel_id), {
      body: { ...discordBody(message), message_reference: { message_id: m.id, fail_if_not_exists: false } },
    })) as { id: string };
    return { platform: 'discord', channelId: conversation.channelId, messageId: posted.id, ...(parent ? { threadId: m.channel_id } : {}) };
  };
  try {
    await deps.dispatch({ kind: 'command', actor, conversation, text: m.content.trim(), deliveryId: m.id }, respond);
  } catch (err) {
    deps.logger.error({ message: m.id, err: String(err) }, 'discord: message command failed');
  }
}
