import { randomUUID } from 'node:crypto';
import type { Platform } from '../chat/chat-event.ts';
import type { MessageRef } from '../chat/chat-event.ts';
import type { ChatPort } from '../ports/chat.port.ts';
import type { OutboxItem } from '../ports/outbox.port.ts';
import type { StateStore } from '../ports/state.port.ts';

/** How long the first post of a key may take before another deliverer stops waiting for it. */
export const FIRST_POST_LEASE_MS = 15_000;

/** The lock taken while the first message of `key` is posted (by the bot's reply or an outbox delivery). */
export function firstPostLock(key: string): string {
  return `post:${key}`;
}

/**
 * Carry one outbox item to chat: edit the message owned under its key, or post it (and remember
 * the ref) the first time. Thread items go under the owned message, or in the channel if there is none.
 * The first post of a key happens under a short lock, so two bot replicas (or the bot's own reply and a
 * fast worker) never post the same message twice: whoever loses waits for the ref and edits instead.
 */
export async function deliverOutboxItem(item: OutboxItem, chatFor: (p: Platform) => ChatPort | undefined, state: StateStore): Promise<void> {
  const ref = (await state.getMessageRef(item.key)) ?? (await firstPost(item, chatFor, state));
  if (!ref) return; // posted just now
  const chat = chatFor(ref.platform);
  if (!chat) throw new Error(`no ${ref.platform} adapter in this process`);
  if (item.op === 'upsert') await chat.update(ref, item.message);
  else await chat.replyInThread(ref, item.message);
}

/** Post under the key's lock; returns the ref someone else posted meanwhile, or undefined once posted here. */
async function firstPost(item: OutboxItem, chatFor: (p: Platform) => ChatPort | undefined, state: StateStore): Promise<MessageRef | undefined> {
  const holder = randomUUID();
  const lock = firstPostLock(item.key);
  const deadline = Date.now() + FIRST_POST_LEASE_MS;
  for (;;) {
    const got = await state.acquireLock(lock, holder, 'first post', FIRST_POST_LEASE_MS);
    if (got.ok) break;
    const ref = await state.getMessageRef(item.key);
    if (ref) return ref;
    if (Date.now() > deadline) break; // the holder died mid-post: post anyway rather than lose the update
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    const ref = await state.getMessageRef(item.key);
    if (ref) return ref;
    const chat = chatFor(item.conversation.platform);
    if (!chat) throw new Error(`no ${item.conversation.platform} adapter in this process`);
    await state.setMessageRef(item.key, await chat.post(item.conversation, item.message));
    return undefined;
  } finally {
    await state.releaseLock(lock, holder);
  }
}
