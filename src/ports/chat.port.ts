import type { Conversation, MessageRef } from '../chat/chat-event.ts';
import type { Message } from '../chat/message.ts';

/** What the core asks of a chat platform. Each adapter implements it for its own platform. */
export interface ChatPort {
  /** Post a new message in a conversation (in its thread when `threadId` is set). */
  post(conversation: Conversation, message: Message): Promise<MessageRef>;
  /** Edit a message the bot posted earlier. */
  update(ref: MessageRef, message: Message): Promise<void>;
  /** Reply in the thread of a message (starting the thread if needed). */
  replyInThread(ref: MessageRef, message: Message): Promise<MessageRef>;
}
