import type { Logger } from 'pino';
import type { Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Responder } from '../../src/chat/dispatch.ts';
import type { Message } from '../../src/chat/message.ts';
import { errorMessage } from '../../src/errors.ts';
import { renderMessage } from './block-kit.renderer.ts';
import type { SlackChatPort } from './slack-chat.port.ts';
import { slackErrorCode, SlackRateLimitedError } from './slack-api-errors.ts';

/** Bolt's `respond`: POSTs JSON to the request's `response_url` (5 uses, 30 minutes). */
export type RespondFn = (message: Record<string, unknown>) => Promise<unknown>;

export interface ResponderContext {
  chat: SlackChatPort;
  logger: Logger;
  /** Where the event happened (a thread when it came from one). */
  conversation: Conversation;
  /** The asker's Slack user id (for ephemeral answers). */
  userId: string;
  /** Present for slash commands and clicks; absent for mentions and modal submissions. */
  respond?: RespondFn;
}

/** Errors that mean "the bot is not in this channel": a slash command can still be answered. */
const NOT_A_MEMBER = new Set(['not_in_channel', 'channel_not_found']);

/**
 * The Responder handed to dispatch. Ephemeral answers go to the asker only (response_url when the
 * event has one, else chat.postEphemeral). Others are posted with chat.postMessage in the channel or
 * thread and return their ref so the core can edit them later. It never rejects: a failure is
 * logged (by the port) and the core gets `undefined`.
 */
export function makeResponder(ctx: ResponderContext): Responder {
  return async (message: Message): Promise<MessageRef | undefined> => {
    try {
      if (message.ephemeral) {
        if (ctx.respond) await viaResponseUrl(ctx, message, 'ephemeral');
        else await ctx.chat.postEphemeral(ctx.conversation, ctx.userId, message);
        return undefined;
      }
      return await ctx.chat.post(ctx.conversation, message);
    } catch (err) {
      if (!message.ephemeral && ctx.respond && (NOT_A_MEMBER.has(slackErrorCode((err as { cause?: unknown }).cause)) || err instanceof SlackRateLimitedError)) {
        // Slash commands work in channels the bot has not joined; answer there through response_url.
        // It is also the way round a channel Slack is rate-limiting: the person still gets the answer
        // now (response_url is not the Web API), though the bot cannot edit that message later.
        return viaResponseUrl(ctx, message, 'in_channel').then(() => undefined, () => undefined);
      }
      ctx.logger.warn({ err: errorMessage(err), channel: ctx.conversation.channelId }, 'could not answer in Slack');
      return undefined;
    }
  };
}

async function viaResponseUrl(ctx: ResponderContext, message: Message, type: 'ephemeral' | 'in_channel'): Promise<void> {
  // replace_original: false — a click's answer must not overwrite the message holding the button.
  const res = (await ctx.respond!({ response_type: type, replace_original: false, ...renderMessage(message) })) as
    | { ok?: boolean; status?: number }
    | undefined;
  if (res && res.ok === false) {
    ctx.logger.warn({ status: res.status, channel: ctx.conversation.channelId }, `Slack response_url answered HTTP ${res.status}; it may have expired (30 min, 5 uses)`);
  }
}
