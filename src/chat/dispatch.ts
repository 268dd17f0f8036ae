import type { ChatEvent, MessageRef } from './chat-event.ts';
import type { Message } from './message.ts';

/**
 * Answers the person who sent an event, in the place the platform offers for it: Slack's
 * `response_url`/ack (ephemeral when `message.ephemeral`), Discord's interaction reply, the console.
 * Returns the posted message when the platform gives one back (so it can be edited later).
 */
export type Responder = (message: Message) => Promise<MessageRef | undefined>;

/**
 * The single entry point of the core: every adapter verifies its platform payload, acks it, turns
 * it into a ChatEvent and calls this. It never throws: refusals become friendly messages.
 */
export type Dispatch = (event: ChatEvent, respond: Responder) => Promise<void>;
