import type { Api } from 'grammy';
import type { ChatEvent, MessageRef } from '../../src/chat/chat-event.ts';
import type { Dispatch, Responder } from '../../src/chat/dispatch.ts';
import type { Message } from '../../src/chat/message.ts';
import { errorMessage } from '../../src/errors.ts';
import type { Logger } from '../../src/pipeline/deps.ts';
import type { StateStore } from '../../src/ports/state.port.ts';
import type { CallbackStore } from './callback-store.ts';
import type { TelegramChatPort } from './telegram-chat.port.ts';
import { commandText, conversationOf, telegramActor, updateSchema, type TgMessage } from './telegram-events.ts';

export interface UpdateDeps {
  api: Api;
  chat: TelegramChatPort;
  callbacks: CallbackStore;
  dispatch: Dispatch;
  state: StateStore;
  logger: Logger;
  botUsername: () => string;
}

/** Telegram re-sends an update until it is answered; a day covers any redelivery. */
const DELIVERY_TTL_MS = 86_400_000;
const CANCEL = 'telegram-cancel';

/**
 * Handle one verified update: claim it once in Redis (redeliveries, two replicas), answer a button
 * press at once (Telegram shows a spinner until then), then hand a ChatEvent to the core. Returns
 * without waiting for the core (the `work` it started), so the webhook or poll loop is never held up by slow work.
 */
export async function handleUpdate(deps: UpdateDeps, raw: unknown): Promise<{ work: Promise<void> } | undefined> {
  const parsed = updateSchema.safeParse(raw);
  if (!parsed.success) return void deps.logger.warn({}, 'ignored a malformed Telegram update');
  const u = parsed.data;
  if (u.message?.text && u.message.from && !u.message.from.is_bot) {
    const m = u.message;
    const text = commandText(m.text, deps.botUsername());
    if (text === undefined) return undefined;
    if (!(await claim(deps, u.update_id))) return undefined;
    const conversation = conversationOf(m);
    const event: ChatEvent = { kind: 'command', actor: telegramActor(m.from!), conversation, text, deliveryId: `telegram:${u.update_id}` };
    return { work: run(deps, event, responder(deps, m, m.from?.id)) };
  }
  const q = u.callback_query;
  if (q?.message && q.data) {
    if (!(await claim(deps, u.update_id))) return undefined;
    const button = await deps.callbacks.get(q.data);
    await deps.api.answerCallbackQuery(q.id, button ? {} : { text: 'This button has expired — type the command instead.', show_alert: true })
      .catch((err: unknown) => deps.logger.warn({ err: errorMessage(err) }, 'could not answer a Telegram button press'));
    if (!button) return undefined;
    const pressed: MessageRef = { platform: 'telegram', channelId: conversationOf(q.message).channelId, messageId: String(q.message.message_id) };
    if (button.actionId === CANCEL) return void (await deps.chat.update(pressed, note('Cancelled — nothing was done.')).catch(() => undefined));
    if (button.confirm && !button.confirmed) return void (await askToConfirm(deps, q.message, button));
    if (button.confirmed) await deps.chat.update(pressed, note(`Confirmed by ${telegramActor(q.from).displayName ?? q.from.id}.`)).catch(() => undefined);
    // A confirmed press acts on the message that held the original button, not on the prompt.
    const m: TgMessage = button.origin ? { ...q.message, message_id: button.origin } : q.message;
    const ref: MessageRef = { ...pressed, messageId: String(m.message_id) };
    const event: ChatEvent = { kind: 'action', actor: telegramActor(q.from), conversation: conversationOf(m), actionId: button.actionId, value: button.value, message: ref, deliveryId: `telegram:${u.update_id}` };
    return { work: run(deps, event, responder(deps, m, q.from.id)) };
  }
  return undefined;
}

function note(text: string): Message {
  return { text, blocks: [{ type: 'context', text }] };
}

async function claim(deps: UpdateDeps, updateId: number): Promise<boolean> {
  const first = await deps.state.claimOnce(`telegram:update:${updateId}`, DELIVERY_TTL_MS);
  if (!first) deps.logger.info({ updateId }, 'dropped a duplicate Telegram update');
  return first;
}

function run(deps: UpdateDeps, event: ChatEvent, respond: Responder): Promise<void> {
  return deps.dispatch(event, respond).catch((err: unknown) => deps.logger.error({ err: errorMessage(err) }, 'dispatch failed for a Telegram update'));
}

/**
 * Answers go in the chat as replies to the message that asked. Telegram has no answers only one person
 * sees in a group, so an ephemeral one (a refusal, help) goes to the asker's private chat with the bot
 * when they have started one, and into the group otherwise.
 */
function responder(deps: UpdateDeps, m: TgMessage, userId: number | undefined): Responder {
  const conversation = conversationOf(m, m.message_id);
  return async (message: Message) => {
    try {
      if (message.ephemeral && userId !== undefined && m.chat.type !== 'private') {
        const direct = await deps.chat.post({ platform: 'telegram', channelId: String(userId) }, message).then(() => true, () => false);
        if (direct) return undefined;
      }
      return await deps.chat.post(conversation, message);
    } catch (err) {
      deps.logger.warn({ err: errorMessage(err), chat: conversation.channelId }, 'could not answer in Telegram');
      return undefined;
    }
  };
}

/** Telegram has no confirmation dialog: a dangerous button first asks, with Yes / Cancel buttons. */
async function askToConfirm(deps: UpdateDeps, m: TgMessage, b: { actionId: string; value: string; confirm?: { title: string; text: string } }): Promise<void> {
  const yes = await deps.callbacks.put({ actionId: b.actionId, value: b.value, confirmed: true, origin: m.message_id });
  const no = await deps.callbacks.put({ actionId: CANCEL, value: '' });
  const conversation = conversationOf(m, m.message_id);
  const message: Message = { text: b.confirm!.title, severity: 'warn', blocks: [{ type: 'header', text: b.confirm!.title }, { type: 'text', text: b.confirm!.text }] };
  // The keyboard is built here, not by the port: these two keys are already stored.
  await deps.chat.postWithKeyboard(conversation, message, [[{ text: '⚠️ Yes, do it', callback_data: yes }, { text: 'Cancel', callback_data: no }]]).catch((err: unknown) =>
    deps.logger.warn({ err: errorMessage(err) }, 'could not ask for confirmation in Telegram'));
}
