/**
 * The Responder for one interaction, after it was deferred: answers go through the interaction webhook
 * (no bot token), so they work for 15 minutes even where the bot cannot post. Ephemeral answers
 * (errors, help, refusals) are seen only by the person who acted.
 */
import { Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import type { Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Responder } from '../../src/chat/dispatch.ts';
import type { Message } from '../../src/chat/message.ts';
import { discordBody } from './discord-chat.port.ts';
import { withCharts } from './discord-chart-files.ts';
import type { WebhookTokens } from './discord-webhook-tokens.ts';

/** Message flag: only the invoking user sees it. */
export const EPHEMERAL = 64;

export type ResponderKind = 'command' | 'action' | 'confirmed';

export interface ResponderContext {
  rest: REST;
  applicationId: string;
  token: string;
  /** When the interaction arrived: its token lives 15 minutes from then. */
  receivedAt: number;
  tokens: WebhookTokens;
  logger: Logger;
  conversation: Conversation;
  /**
   * `command`: the deferred "thinking…" reply is ours to fill. `action`: the deferral (type 6) points
   * @original at the message holding the button, so a public answer edits that message in place.
   * `confirmed`: a click on a confirm prompt, whose @original is that ephemeral prompt; every answer
   * is a follow-up (public ones visible to the channel).
   */
  kind: ResponderKind;
  /** Whether the deferred command reply was made ephemeral (help or a parse error, known up front). */
  deferredEphemeral: boolean;
}

export function makeInteractionResponder(ctx: ResponderContext): Responder {
  let originalUsed = false;
  const original = Routes.webhookMessage(ctx.applicationId, ctx.token, '@original');

  const refOf = (posted: { id: string }): MessageRef => {
    ctx.tokens.remember(posted.id, ctx.token, ctx.receivedAt);
    return {
      platform: 'discord',
      channelId: ctx.conversation.channelId,
      messageId: posted.id,
      ...(ctx.conversation.threadId ? { threadId: ctx.conversation.threadId } : {}),
    };
  };

  const followUp = async (message: Message, ephemeral: boolean) => {
    const body = { ...discordBody(message), ...(ephemeral ? { flags: EPHEMERAL } : {}) };
    const posted = (await ctx.rest.post(Routes.webhook(ctx.applicationId, ctx.token), {
      ...withCharts(message, body),
      auth: false,
      query: new URLSearchParams({ wait: 'true' }),
    })) as { id: string };
    return ephemeral ? undefined : refOf(posted);
  };

  const editOriginal = async (message: Message, ephemeral: boolean) => {
    const posted = (await ctx.rest.patch(original, { ...withCharts(message, discordBody(message)), auth: false })) as { id: string };
    return ephemeral ? undefined : refOf(posted);
  };

  return async (message) => {
    const ephemeral = message.ephemeral === true;
    if (ctx.kind === 'confirmed') return followUp(message, ephemeral);
    if (ctx.kind === 'action') return ephemeral ? followUp(message, true) : editOriginal(message, false);
    if (originalUsed) return followUp(message, ephemeral);
    originalUsed = true;
    if (ephemeral === ctx.deferredEphemeral) return editOriginal(message, ephemeral);
    // The visibility guessed at defer time was wrong (e.g. a refusal after a valid parse): a deferred
    // reply cannot change visibility, so drop it and answer with a follow-up that has the right one.
    await ctx.rest.delete(original, { auth: false }).catch((err: unknown) => {
      ctx.logger.debug({ err: String(err) }, 'discord: could not delete the deferred reply');
    });
    return followUp(message, ephemeral);
  };
}
