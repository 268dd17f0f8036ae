import type { Platform } from '../chat/chat-event.ts';
import type { ChatPort } from '../ports/chat.port.ts';
import type { OutboxItem } from '../ports/outbox.port.ts';
import type { StateStore } from '../ports/state.port.ts';

/**
 * Carry one outbox item to chat: edit the message owned under its key, or post it (and remember
 * the ref) the first time. Thread items go under the owned message, or in the channel if there is none.
 */
export async function deliverOutboxItem(item: OutboxItem, chatFor: (p: Platform) => ChatPort | undefined, state: StateStore): Promise<void> {
  const ref = await state.getMessageRef(item.key);
  const chat = chatFor(ref?.platform ?? item.conversation.platform);
  if (!chat) throw new Error(`no ${item.conversation.platform} adapter in this process`);
  if (item.op === 'upsert') {
    if (ref) await chat.update(ref, item.message);
    else await state.setMessageRef(item.key, await chat.post(item.conversation, item.message));
    return;
  }
  if (ref) await chat.replyInThread(ref, item.message);
  else await state.setMessageRef(item.key, await chat.post(item.conversation, item.message));
}
