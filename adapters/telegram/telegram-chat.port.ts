import type { Api } from 'grammy';
import type { Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { ChainopsError } from '../../src/errors.ts';
import type { Logger } from '../../src/pipeline/deps.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';
import { inlineKeyboard, type CallbackStore } from './callback-store.ts';
import { renderHtml } from './telegram-html.ts';

/** `<chat id>` or `<chat id>:<forum topic id>`, as channels are written in the fleet file. */
export function parseChannel(channelId: string): { chatId: number; topicId?: number } {
  const m = /^(-?\d{1,20})(?::(\d{1,12}))?$/.exec(channelId);
  if (!m) throw new ChainopsError('config_invalid', `"${channelId}" is not a Telegram chat id — use a number such as -1001234567890 (or -1001234567890:42 for a forum topic)`);
  return { chatId: Number(m[1]), ...(m[2] ? { topicId: Number(m[2]) } : {}) };
}

/** The channel id of a chat (with its forum topic when the message is in one). */
export function channelOf(chatId: number, topicId?: number): string {
  return topicId ? `${chatId}:${topicId}` : String(chatId);
}

/** Telegram's answer as an error the outbox understands: 429 carries `retryAfterMs`. */
export class TelegramApiError extends ChainopsError {
  readonly retryAfterMs?: number;
  constructor(method: string, code: number, description: string, retryAfterSec?: number) {
    super('unavailable', `Telegram ${method} failed: ${code} ${description}${code === 403 ? ' — add the bot to the chat (and let it post there)' : ''}`);
    if (code === 429) this.retryAfterMs = (retryAfterSec ?? 5) * 1000;
  }
}

/**
 * ChatPort over the Bot API (through grammY): HTML parse mode, inline keyboards whose callback_data
 * is a stored key, edits in place with editMessageText, a reply chain per thread (replies point at the
 * thread's root) inside the chat's forum topic when it has one. A 429 is thrown with `retryAfterMs`
 * so the outbox parks the item in Redis and sends it when Telegram allows.
 */
export class TelegramChatPort implements ChatPort {
  constructor(private readonly api: Api, private readonly callbacks: CallbackStore, private readonly logger: Logger) {}

  async post(conversation: Conversation, message: Message): Promise<MessageRef> {
    return this.postWithKeyboard(conversation, message, undefined);
  }

  /** Post with a keyboard of callback keys already stored (the adapter's own confirmation prompt). */
  async postWithKeyboard(conversation: Conversation, message: Message, keyboard: Array<Array<{ text: string; callback_data: string }>> | undefined): Promise<MessageRef> {
    const { chatId, topicId } = parseChannel(conversation.channelId);
    const reply_markup = keyboard ? { inline_keyboard: keyboard } : await this.#keyboard(message);
    const sent = await this.#call('sendMessage', () => this.api.sendMessage(chatId, renderHtml(message), {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(topicId ? { message_thread_id: topicId } : {}),
      ...(conversation.threadId ? { reply_parameters: { message_id: Number(conversation.threadId), allow_sending_without_reply: true } } : {}),
      ...(reply_markup ? { reply_markup } : {}),
    }));
    return { platform: 'telegram', channelId: conversation.channelId, messageId: String(sent.message_id), ...(conversation.threadId ? { threadId: conversation.threadId } : {}) };
  }

  async update(ref: MessageRef, message: Message): Promise<void> {
    const { chatId } = parseChannel(ref.channelId);
    const keyboard = await this.#keyboard(message);
    await this.#call('editMessageText', () => this.api.editMessageText(chatId, Number(ref.messageId), renderHtml(message), {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      // An empty keyboard removes the buttons of a message that no longer offers any.
      reply_markup: keyboard ?? { inline_keyboard: [] },
    }));
  }

  async replyInThread(ref: MessageRef, message: Message): Promise<MessageRef> {
    return this.post({ platform: 'telegram', channelId: ref.channelId, threadId: ref.threadId ?? ref.messageId }, message);
  }

  async #keyboard(message: Message): Promise<{ inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } | undefined> {
    const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
    return buttons.length ? { inline_keyboard: await inlineKeyboard(this.callbacks, buttons) } : undefined;
  }

  async #call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as { error_code?: number; description?: string; parameters?: { retry_after?: number } };
      if (typeof e.error_code !== 'number') throw new ChainopsError('unavailable', `Telegram ${method} failed: ${(err as Error).message}`, { cause: err });
      // Editing to the same content is not an error for us: the message already says it.
      if (e.error_code === 400 && /message is not modified/.test(e.description ?? '')) return true as T;
      // Logged by the caller (the outbox, the responder), which knows whether it matters.
      throw new TelegramApiError(method, e.error_code, e.description ?? '', e.parameters?.retry_after);
    }
  }
}
