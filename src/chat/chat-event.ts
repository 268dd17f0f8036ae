/** Which chat platform an event came from. */
export type Platform = 'slack' | 'discord' | 'console' | 'telegram';

/** Who acts: platform identity only (never display names, which are not unique). */
export interface Actor {
  platform: Platform;
  /** Slack `TEAM/USER`, Discord user id, console user name, Telegram numeric user id. */
  id: string;
  /** Discord guild role ids; empty elsewhere. */
  roleIds: string[];
  /** Other ids of the same person that role lists may use (Slack Enterprise Grid: `TEAM/USER` besides `ENTERPRISE/USER`). */
  aliases?: string[];
  /** For display only; never used for authorisation. */
  displayName?: string;
}

/** Where a conversation happens; `threadId` set when inside a thread. */
export interface Conversation {
  platform: Platform;
  channelId: string;
  threadId?: string;
}

/** A message the bot owns, so it can be edited in place later. */
export interface MessageRef {
  platform: Platform;
  channelId: string;
  /** Slack `ts`, Discord message id, console sequence number. */
  messageId: string;
  threadId?: string;
}

/** A typed command (`/chainops status`, `@ChainOps status`, console line). */
export interface CommandEvent {
  kind: 'command';
  actor: Actor;
  conversation: Conversation;
  /** The text after `/chainops` (or the whole line; the parser strips the prefix). */
  text: string;
  /** Platform delivery id for de-duplication of retries (Slack retries, double clicks). */
  deliveryId?: string;
}

/** A button press: `actionId` names the action, `value` carries its argument. */
export interface ActionEvent {
  kind: 'action';
  actor: Actor;
  conversation: Conversation;
  actionId: string;
  value: string;
  /** The message holding the button, so the handler can update it. */
  message?: MessageRef;
  deliveryId?: string;
}

/** The neutral event every adapter produces after verifying the platform payload. */
export type ChatEvent = CommandEvent | ActionEvent;
