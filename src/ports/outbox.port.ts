import type { Conversation } from '../chat/chat-event.ts';
import type { Message } from '../chat/message.ts';

/**
 * How workers (which own no chat connection) report to chat. Each job, rollout or alert owns one
 * message under a stable `key`: `upsert` posts it the first time and edits it in place afterwards;
 * `thread` adds details to its thread. A bot replica consumes the outbox and calls its ChatPort.
 */
export type OutboxItem =
  | { op: 'upsert'; key: string; conversation: Conversation; message: Message }
  | { op: 'thread'; key: string; conversation: Conversation; message: Message };

export interface Outbox {
  publish(item: OutboxItem): Promise<void>;
}
