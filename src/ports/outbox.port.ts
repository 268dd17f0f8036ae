import type { Conversation } from '../chat/chat-event.ts';
import type { Message } from '../chat/message.ts';

/**
 * How workers (which own no chat connection) report to chat. Each job, rollout or alert owns one
 * message under a stable `key`: `upsert` posts it the first time and edits it in place afterwards;
 * `thread` adds details to its thread. A bot replica consumes the outbox and calls its ChatPort.
 */
export type OutboxItem =
  | { op: 'upsert'; key: string; conversation: Conversation; message: Message; seq?: string }
  | { op: 'thread'; key: string; conversation: Conversation; message: Message; seq?: string };

/**
 * `seq`: the item's place in the outbox, set by the consumer (never by a publisher) — the stream entry
 * id of its first publish. Upserts of one key carrying a `seq` are applied in that order; an older one
 * arriving after a newer one (two replicas, a rate-limit deferral) is dropped instead of undoing it.
 */
export function compareSeq(a: string, b: string): number {
  const [am = '0', an = '0'] = a.split('-');
  const [bm = '0', bn = '0'] = b.split('-');
  const d = BigInt(am) - BigInt(bm) || BigInt(an) - BigInt(bn);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export interface Outbox {
  publish(item: OutboxItem): Promise<void>;
}
