import { randomUUID } from 'node:crypto';
import type { Platform } from '../chat/chat-event.ts';
import type { MessageRef } from '../chat/chat-event.ts';
import type { ChatPort } from '../ports/chat.port.ts';
import { compareSeq, type OutboxItem } from '../ports/outbox.port.ts';
import type { StateStore } from '../ports/state.port.ts';

/** How long the first post of a key may take before another deliverer stops waiting for it. */
export const FIRST_POST_LEASE_MS = 15_000;

/** The lock taken while the first message of `key` is posted (by the bot's reply or an outbox delivery). */
export function firstPostLock(key: string): string {
  return `post:${key}`;
}

/** The stored ref of an owned message, with the outbox seq of the upsert last applied to it. */
type OwnedRef = MessageRef & { seq?: string };

/** What became of one item. */
export type Delivery = 'posted' | 'edited' | 'threaded' | 'stale';

/**
 * Carry one outbox item to chat: edit the message owned under its key, or post it (and remember
 * the ref) the first time. Thread items go under the owned message, or in the channel if there is none.
 * The first post of a key happens under a short lock, so two bot replicas (or the bot's own reply and a
 * fast worker) never post the same message twice: whoever loses waits for the ref and edits instead.
 * Upserts with a `seq` hold that lock for the edit too and are applied in seq order: one older than the
 * last applied is dropped ('stale'), so a "queued" never lands over the result that followed it.
 */
export async function deliverOutboxItem(item: OutboxItem, chatFor: (p: Platform) => ChatPort | undefined, state: StateStore): Promise<Delivery> {
  if (item.op === 'upsert' && item.seq !== undefined) return underLock(item.key, state, () => applyInOrder(item, item.seq!, chatFor, state));
  const ref = (await state.getMessageRef(item.key)) ?? (await underLock(item.key, state, () => firstPost(item, chatFor, state)));
  if (!ref) return 'posted';
  const chat = chatOf(chatFor, ref.platform);
  if (item.op === 'upsert') {
    await chat.update(plain(ref), item.message);
    return 'edited';
  }
  await chat.replyInThread(plain(ref), item.message);
  return 'threaded';
}

async function applyInOrder(item: OutboxItem, seq: string, chatFor: (p: Platform) => ChatPort | undefined, state: StateStore): Promise<Delivery> {
  const ref = (await state.getMessageRef(item.key)) as OwnedRef | undefined;
  if (ref?.seq !== undefined && compareSeq(seq, ref.seq) <= 0) return 'stale';
  if (!ref) {
    const posted = await chatOf(chatFor, item.conversation.platform).post(item.conversation, item.message);
    await state.setMessageRef(item.key, { ...posted, seq } as OwnedRef);
    return 'posted';
  }
  await chatOf(chatFor, ref.platform).update(plain(ref), item.message);
  await state.setMessageRef(item.key, { ...plain(ref), seq } as OwnedRef);
  return 'edited';
}

/** Post unless someone posted meanwhile; returns the ref they posted, or undefined once posted here. */
async function firstPost(item: OutboxItem, chatFor: (p: Platform) => ChatPort | undefined, state: StateStore): Promise<MessageRef | undefined> {
  const ref = await state.getMessageRef(item.key);
  if (ref) return ref;
  await state.setMessageRef(item.key, await chatOf(chatFor, item.conversation.platform).post(item.conversation, item.message));
  return undefined;
}

/**
 * Run `fn` holding the key's post lock. A holder that died mid-post stops blocking after the lease:
 * then `fn` runs anyway rather than lose the update.
 */
async function underLock<T>(key: string, state: StateStore, fn: () => Promise<T>): Promise<T> {
  const holder = randomUUID();
  const lock = firstPostLock(key);
  const deadline = Date.now() + FIRST_POST_LEASE_MS;
  let held = false;
  for (;;) {
    held = (await state.acquireLock(lock, holder, 'first post', FIRST_POST_LEASE_MS)).ok;
    if (held || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    return await fn();
  } finally {
    if (held) await state.releaseLock(lock, holder);
  }
}

function chatOf(chatFor: (p: Platform) => ChatPort | undefined, platform: Platform): ChatPort {
  const chat = chatFor(platform);
  if (!chat) throw new Error(`no ${platform} adapter in this process`);
  return chat;
}

/** The ref as the chat platform knows it, without our bookkeeping. */
function plain(ref: OwnedRef): MessageRef {
  const { seq: _seq, ...rest } = ref;
  return rest;
}
