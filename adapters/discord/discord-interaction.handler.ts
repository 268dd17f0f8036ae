/**
 * One handler for interactions from either transport (gateway or HTTP endpoint): validate the slice we
 * read, answer within Discord's 3 s (defer), de-duplicate, then hand a neutral ChatEvent to the core.
 */
import type { REST } from 'discord.js';
import type { Logger } from 'pino';
import type { Conversation } from '../../src/chat/chat-event.ts';
import type { Dispatch, Responder } from '../../src/chat/dispatch.ts';
import { parseCommand } from '../../src/command/parse.ts';
import type { StateStore } from '../../src/ports/state.port.ts';
import { answerAutocomplete, type AutocompleteSource } from './discord-autocomplete.ts';
import { commandTextOf } from './discord-command-text.ts';
import { cancelledUpdate, confirmedUpdate, confirmPrompt } from './discord-confirm.ts';
import { parseButtonId } from './discord-custom-id.ts';
import { actorOf, interactionSlice, THREAD_TYPES, type InteractionSlice } from './discord-interaction.schema.ts';
import { EPHEMERAL, makeInteractionResponder, type ResponderKind } from './discord-interaction.responder.ts';
import type { WebhookTokens } from './discord-webhook-tokens.ts';

/** Interaction types and callback types (https://discord.com/developers/docs/interactions/receiving-and-responding). */
const Type = { Ping: 1, Command: 2, Component: 3, Autocomplete: 4 } as const;
const Callback = { Pong: 1, DeferredMessage: 5, DeferredUpdate: 6 } as const;
/** Long enough to cover Discord's redelivery and a user's double click. */
const DEDUPE_TTL_MS = 15 * 60_000;
/**
 * Two clicks of one person on one button of one message this close together are a double click: the
 * second is dropped. A deliberate click later (Restart node again) gets a new interaction id and runs.
 */
const DOUBLE_CLICK_MS = 5_000;
/** A slow store must not eat the 3 s window: after this, answer anyway. */
const CLAIM_TIMEOUT_MS = 1_000;

export interface InteractionDeps {
  rest: REST;
  applicationId: string;
  state: StateStore;
  dispatch: Dispatch;
  autocomplete: AutocompleteSource;
  tokens: WebhookTokens;
  logger: Logger;
}

/** Sends the initial response: a REST callback (gateway) or the HTTP response body (HTTP mode). */
export type Ack = (interaction: InteractionSlice, body: object) => Promise<void>;

export type Outcome = 'handled' | 'invalid' | 'duplicate' | 'ignored';

export async function handleInteraction(raw: unknown, ack: Ack, deps: InteractionDeps): Promise<Outcome> {
  const receivedAt = Date.now();
  const parsed = interactionSlice.safeParse(raw);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'discord: interaction payload not understood');
    return 'invalid';
  }
  const i = parsed.data;
  if (i.type === Type.Ping) {
    await ack(i, { type: Callback.Pong });
    return 'handled';
  }
  if (i.type === Type.Autocomplete) {
    await ack(i, await answerAutocomplete(i.data?.options, deps.autocomplete, deps.logger, actorOf(i.member, i.user)));
    return 'handled';
  }
  if (i.type !== Type.Command && i.type !== Type.Component) return 'ignored';
  const actor = actorOf(i.member, i.user);
  if (!actor) return 'invalid';
  if (!(await claim(deps, `discord:interaction:${i.id}`))) return 'duplicate';
  const conversation = conversationOf(i);
  const log = deps.logger.child({ interaction: i.id, user: actor.id });

  if (i.type === Type.Command) {
    const text = commandTextOf(i.data?.options);
    const deferredEphemeral = visibleOnlyToAsker(text);
    await ack(i, { type: Callback.DeferredMessage, data: deferredEphemeral ? { flags: EPHEMERAL } : {} });
    const respond = responder(i, deps, conversation, 'command', deferredEphemeral, receivedAt);
    await run(log, respond, () => deps.dispatch({ kind: 'command', actor, conversation, text, deliveryId: i.id }, respond));
    return 'handled';
  }
  const button = parseButtonId(i.data?.custom_id ?? '');
  if (button.kind === 'ask') {
    await ack(i, confirmPrompt(i, button.actionId, button.value));
    return 'handled';
  }
  if (button.kind === 'cancel') {
    await ack(i, cancelledUpdate());
    return 'handled';
  }
  const { actionId, value } = button;
  // A confirmed click comes from the ephemeral prompt: the message to act on is the one it names.
  const confirmed = button.kind === 'confirmed';
  await ack(i, confirmed ? confirmedUpdate(i) : { type: Callback.DeferredUpdate });
  const respond = responder(i, deps, conversation, confirmed ? 'confirmed' : 'action', false, receivedAt);
  const messageId = confirmed ? button.originMessageId : i.message?.id;
  const message = messageId
    ? { platform: 'discord' as const, channelId: conversation.channelId, messageId, ...(conversation.threadId ? { threadId: conversation.threadId } : {}) }
    : undefined;
  // Keyed on the message actually clicked: a confirm prompt is a message of its own, so confirming
  // again from a second prompt is a deliberate click, a double click on one prompt is not.
  if (!(await claim(deps, `discord:click:${actor.id}:${i.message?.id ?? '-'}:${i.data?.custom_id ?? ''}`, DOUBLE_CLICK_MS))) {
    log.info({ actionId }, 'discord: dropped a double click');
    return 'duplicate';
  }
  await run(log, respond, () =>
    deps.dispatch({ kind: 'action', actor, conversation, actionId, value, ...(message ? { message } : {}), deliveryId: i.id }, respond),
  );
  return 'handled';
}

/** Help and commands the parser refuses are answered privately; known before dispatch, so the deferral matches. */
function visibleOnlyToAsker(text: string): boolean {
  const parsed = parseCommand(text);
  return !parsed.ok || parsed.command.verb === 'help';
}

/** A thread is a channel of its own; the neutral model names the parent channel plus the thread. */
export function conversationOf(i: InteractionSlice): Conversation {
  const channelId = i.channel?.id ?? i.channel_id ?? i.message?.channel_id ?? '';
  if (i.channel && THREAD_TYPES.has(i.channel.type) && i.channel.parent_id) {
    return { platform: 'discord', channelId: i.channel.parent_id, threadId: channelId };
  }
  return { platform: 'discord', channelId };
}

function responder(i: InteractionSlice, deps: InteractionDeps, conversation: Conversation, kind: ResponderKind, deferredEphemeral: boolean, receivedAt: number): Responder {
  return makeInteractionResponder({
    rest: deps.rest,
    applicationId: i.application_id,
    token: i.token,
    receivedAt,
    tokens: deps.tokens,
    logger: deps.logger,
    conversation,
    kind,
    deferredEphemeral,
  });
}

export async function claim(deps: Pick<InteractionDeps, 'state' | 'logger'>, key: string, ttlMs = DEDUPE_TTL_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      deps.state.claimOnce(key, ttlMs),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          deps.logger.warn({ key }, 'discord: de-duplication store is slow; answering anyway');
          resolve(true);
        }, CLAIM_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    deps.logger.warn({ key, err: String(err) }, 'discord: de-duplication store failed; answering anyway');
    return true;
  } finally {
    clearTimeout(timer);
  }
}

/** Dispatch never throws by contract; if it does anyway, the person still learns something went wrong. */
async function run(log: Logger, respond: Responder, task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch (err) {
    log.error({ err: String(err) }, 'discord: dispatch failed');
    await respond({ text: 'Something went wrong on our side; the error was logged. Try again in a minute.', blocks: [], severity: 'error', ephemeral: true }).catch(() => undefined);
  }
}
