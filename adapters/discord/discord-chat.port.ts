/**
 * ChatPort for Discord over REST: post to a channel (or its thread), edit in place, reply in a thread
 * started once from the message. All calls go through discord.js's REST, whose per-route buckets keep a
 * 429 on one channel from holding up the others; a long one is refused (see makeClient) and comes back
 * here as a DiscordCallError with `retryAfterMs`, so the outbox sends it again later.
 */
import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import type { Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';
import type { StateStore } from '../../src/ports/state.port.ts';
import { DiscordCallError, describeDiscordError } from './discord-api-errors.ts';
import { renderDiscordMessage } from './discord-embed.renderer.ts';
import { LIMITS, truncateEnd } from './discord-limits.ts';
import { NO_MENTIONS } from './discord-rest.ts';
import { withCharts } from './discord-chart-files.ts';
import type { WebhookTokens } from './discord-webhook-tokens.ts';

/** Discord's error code when a message already has a thread; that thread's id is the message id. */
const THREAD_ALREADY_EXISTS = 160004;
/** Threads stay open a day without activity; a rollout or alert thread rarely needs longer. */
const AUTO_ARCHIVE_MINUTES = 1440;
const TITLES_KEPT = 500;

export interface DiscordChatDeps {
  rest: REST;
  state: StateStore;
  applicationId: string;
  tokens: WebhookTokens;
  logger: Logger;
}

/** The message body with mention-safety added. */
export function discordBody(message: Message) {
  return { ...renderDiscordMessage(message), allowed_mentions: NO_MENTIONS };
}

export function threadKey(ref: MessageRef): string {
  return `discord:thread:${ref.channelId}:${ref.messageId}`;
}

export class DiscordChat implements ChatPort {
  /** Titles of messages we posted, so a thread started from one can be named after it. */
  readonly #titles = new Map<string, string>();
  /** Thread starts in flight, so two replies at once start one thread. */
  readonly #starting = new Map<string, Promise<string>>();

  constructor(private readonly deps: DiscordChatDeps) {}

  async post(conversation: Conversation, message: Message): Promise<MessageRef> {
    return this.#logged(() => this.#post(conversation, message));
  }

  async update(ref: MessageRef, message: Message): Promise<void> {
    return this.#logged(() => this.#update(ref, message));
  }

  async replyInThread(ref: MessageRef, message: Message): Promise<MessageRef> {
    return this.#logged(async () => {
      const threadId = ref.threadId ?? (await this.#threadOf(ref, message));
      return this.#post({ platform: 'discord', channelId: ref.channelId, threadId }, message);
    });
  }

  /** A failed call becomes one clear log line and a `DiscordCallError` (with `retryAfterMs` for rate limits); never a crash. */
  async #logged<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof DiscordCallError) throw err;
      const failure = new DiscordCallError(err);
      if (failure.retryAfterMs !== undefined) this.deps.logger.warn({ retryAfterMs: failure.retryAfterMs }, failure.message);
      else this.deps.logger.error({ code: (err as { code?: unknown }).code, status: (err as { status?: unknown }).status }, failure.message);
      throw failure;
    }
  }

  async #post(conversation: Conversation, message: Message): Promise<MessageRef> {
    const channel = conversation.threadId ?? conversation.channelId;
    // Charts travel as attachments of the new message (multipart/form-data).
    const posted = (await this.deps.rest.post(Routes.channelMessages(channel), withCharts(message, discordBody(message)))) as { id: string };
    this.#rememberTitle(posted.id, message);
    return {
      platform: 'discord',
      channelId: conversation.channelId,
      messageId: posted.id,
      ...(conversation.threadId ? { threadId: conversation.threadId } : {}),
    };
  }

  async #update(ref: MessageRef, message: Message): Promise<void> {
    const body = discordBody(message);
    const token = this.deps.tokens.tokenFor(ref.messageId);
    if (token) {
      try {
        await this.deps.rest.patch(Routes.webhookMessage(this.deps.applicationId, token, ref.messageId), { body, auth: false });
        return;
      } catch (err) {
        // A revoked or expired token: the bot token below still owns the message.
        this.deps.tokens.forget(ref.messageId);
        this.deps.logger.debug({ messageId: ref.messageId, err: describeDiscordError(err) }, 'discord: webhook edit failed, using the bot token');
      }
    }
    await this.deps.rest.patch(Routes.channelMessage(ref.threadId ?? ref.channelId, ref.messageId), { body });
  }

  async #threadOf(ref: MessageRef, reply: Message): Promise<string> {
    const key = threadKey(ref);
    const known = await this.deps.state.getMessageRef(key);
    if (known?.threadId) return known.threadId;
    let pending = this.#starting.get(key);
    if (!pending) {
      pending = this.#startThread(ref, reply).finally(() => this.#starting.delete(key));
      this.#starting.set(key, pending);
    }
    return pending;
  }

  async #startThread(ref: MessageRef, reply: Message): Promise<string> {
    const name = truncateEnd(this.#titles.get(ref.messageId) ?? titleOf(reply) ?? 'ChainOps', LIMITS.threadName);
    let threadId: string;
    try {
      const thread = (await this.deps.rest.post(Routes.threads(ref.channelId, ref.messageId), {
        body: { name, auto_archive_duration: AUTO_ARCHIVE_MINUTES },
      })) as { id: string };
      threadId = thread.id;
    } catch (err) {
      // Another process started it first; Discord gives a message's thread the message's id.
      if (!(err instanceof DiscordAPIError && err.code === THREAD_ALREADY_EXISTS)) throw err;
      threadId = ref.messageId;
    }
    await this.deps.state.setMessageRef(threadKey(ref), { ...ref, threadId });
    return threadId;
  }

  #rememberTitle(messageId: string, message: Message): void {
    const title = titleOf(message);
    if (!title) return;
    this.#titles.set(messageId, title);
    if (this.#titles.size > TITLES_KEPT) this.#titles.delete(this.#titles.keys().next().value!);
  }
}

function titleOf(message: Message): string | undefined {
  const header = message.blocks.find((b) => b.type === 'header');
  const line = (header?.type === 'header' ? header.text : message.text).split('\n')[0]?.trim();
  return line ? line : undefined;
}
