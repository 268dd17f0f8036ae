import { createHash } from 'node:crypto';
import type { ActionEvent, Actor, CommandEvent, Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { AppMentionEvent, BlockActionsPayload, SlashCommandPayload } from './slack-payloads.schema.ts';

/** A neutral event plus the key under which its delivery is claimed exactly once. */
export interface Delivery<E> {
  event: E;
  key: string;
  ttlMs: number;
}

/**
 * How long a delivery key is remembered. Slack retries an event three times within about 5 minutes
 * (immediately, after 1 min, after 5 min), so an hour covers them with room. A double click is two
 * different clicks on the same button within a few seconds; 5 s tells it from a deliberate second
 * click (Restart node again after the first restart finished), which must run again.
 */
export const DELIVERY_TTL_MS = { retry: 60 * 60_000, click: 5_000 } as const;

/**
 * Identity is the workspace plus the user id; display names are not unique. On Enterprise Grid the
 * user id is the same in every workspace of the organisation, so the identity is `ENTERPRISE/USER`
 * (one person whichever workspace they type in), with `TEAM/USER` kept as an alias for role lists.
 */
export function slackActor(teamId: string | undefined, userId: string, enterpriseId?: string | null): Actor {
  if (enterpriseId) {
    return { platform: 'slack', id: `${enterpriseId}/${userId}`, roleIds: [], ...(teamId ? { aliases: [`${teamId}/${userId}`] } : {}) };
  }
  return { platform: 'slack', id: `${teamId ?? 'unknown'}/${userId}`, roleIds: [] };
}

export function conversation(channelId: string, threadId?: string): Conversation {
  return threadId ? { platform: 'slack', channelId, threadId } : { platform: 'slack', channelId };
}

/** `/chainops <text>`: `trigger_id` is unique per invocation, so a replay or retry carries the same. */
export function fromSlashCommand(p: SlashCommandPayload): Delivery<CommandEvent> {
  const key = `slack:cmd:${p.trigger_id}`;
  return {
    event: { kind: 'command', actor: slackActor(p.team_id, p.user_id, p.enterprise_id), conversation: conversation(p.channel_id), text: p.text, deliveryId: key },
    key,
    ttlMs: DELIVERY_TTL_MS.retry,
  };
}

/** `@ChainOps <text>`; inside a thread the conversation carries the thread's root `ts`. */
export function fromMention(teamId: string, eventId: string, ev: AppMentionEvent, botUserId?: string, enterpriseId?: string | null): Delivery<CommandEvent> {
  const key = `slack:evt:${eventId}`;
  return {
    event: {
      kind: 'command',
      actor: slackActor(teamId, ev.user, enterpriseId),
      conversation: conversation(ev.channel, ev.thread_ts),
      text: stripBotMention(ev.text, botUserId),
      deliveryId: key,
    },
    key,
    ttlMs: DELIVERY_TTL_MS.retry,
  };
}

/**
 * The command is what follows the bot's own `<@U…>`, wherever the mention sits ("hey @ChainOps
 * status" → "status"); without a recognisable mention the whole text goes to the parser, which
 * strips a leading mention itself.
 */
export function stripBotMention(text: string, botUserId?: string): string {
  if (!botUserId) return text.trim();
  const m = new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`).exec(text);
  return (m ? text.slice(m.index + m[0].length) : text).replace(/\s+/g, ' ').trim();
}

/** A button click → ActionEvent, with the message holding the button so the core can edit it. */
export function fromBlockAction(p: BlockActionsPayload): Delivery<ActionEvent> | undefined {
  const action = p.actions[0]!;
  const channelId = p.channel?.id ?? p.container?.channel_id;
  if (!channelId) return undefined; // a button in App Home or a modal: no conversation to answer in
  const teamId = p.team?.id ?? p.user.team_id;
  const messageTs = p.container?.message_ts ?? p.message?.ts;
  const threadId = p.message?.thread_ts ?? p.container?.thread_ts;
  const actor = slackActor(teamId, p.user.id, p.enterprise?.id);
  const value = action.value ?? '';
  const valueHash = createHash('sha256').update(value).digest('hex').slice(0, 16);
  // Claimed per user+message+button for a few seconds: a double click is dropped. The event's own id
  // is the click's trigger_id (unique per click, the same in a re-delivered payload), so a job keyed
  // on it is one job per click: a second click later is a second run, a retried payload is not.
  const key = `slack:click:${actor.id}:${channelId}:${messageTs ?? '-'}:${action.action_id}:${valueHash}`;
  const clickId = p.trigger_id ?? action.action_ts;
  const deliveryId = clickId ? `slack:click:${clickId}` : key;
  // An ephemeral message cannot be edited with chat.update, so it is not offered as a ref.
  const message: MessageRef | undefined =
    messageTs && !p.container?.is_ephemeral
      ? { platform: 'slack', channelId, messageId: messageTs, ...(threadId && threadId !== messageTs ? { threadId } : {}) }
      : undefined;
  return {
    event: {
      kind: 'action',
      actor,
      // Answers to a click belong under the message clicked: in its thread (an ephemeral message
      // cannot have a thread, so those answers go to the channel).
      conversation: conversation(channelId, threadId ?? (p.container?.is_ephemeral ? undefined : messageTs)),
      actionId: action.action_id,
      value,
      ...(message ? { message } : {}),
      deliveryId,
    },
    key,
    ttlMs: DELIVERY_TTL_MS.click,
  };
}
