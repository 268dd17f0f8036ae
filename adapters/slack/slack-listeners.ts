import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Actor, ChatEvent, Conversation } from '../../src/chat/chat-event.ts';
import type { Dispatch, Responder } from '../../src/chat/dispatch.ts';
import type { Message } from '../../src/chat/message.ts';
import { errorMessage } from '../../src/errors.ts';
import type { StateStore } from '../../src/ports/state.port.ts';
import { LIMITS } from './block-kit.limits.ts';
import { renderMessage } from './block-kit.renderer.ts';
import { describeSlackError } from './slack-api-errors.ts';
import type { SlackChatPort } from './slack-chat.port.ts';
import { conversation, DELIVERY_TTL_MS, fromBlockAction, fromMention, fromSlashCommand, slackActor, type Delivery } from './slack-events.ts';
import { appHomeOpenedSchema, appMentionSchema, blockActionsSchema, eventEnvelopeSchema, slashCommandSchema, viewSubmissionSchema } from './slack-payloads.schema.ts';
import { makeResponder, type RespondFn } from './slack-responder.ts';
import { readUpgradeSubmission, UPGRADE_MODAL_ID, upgradeModal } from './upgrade-modal.view.ts';

export interface ListenerDeps {
  app: App;
  dispatch: Dispatch;
  state: StateStore;
  chat: SlackChatPort;
  logger: Logger;
  homeView?: (actor: Actor) => Promise<Message>;
  /** The bot's own user id (from auth.test), to strip `<@bot>` from mentions. */
  botUserId: () => string | undefined;
}

/** `/chainops`, and variants such as `/chainops-staging` for a second installation. */
const COMMAND_RE = /^\/chainops(?:-[a-z0-9-]+)?$/;

/**
 * Every listener acks first (Slack's 3-second window), then claims the delivery once, then
 * dispatches. Nothing slow happens before ack; nothing here throws into Bolt.
 */
export function registerListeners(deps: ListenerDeps): void {
  const { app, logger: log } = deps;

  app.command(COMMAND_RE, async ({ command, ack, respond, client }) => {
    await ack();
    const p = slashCommandSchema.safeParse(command);
    if (!p.success) return void log.warn({ issues: p.error.issues.length }, 'ignored a malformed slash command payload');
    const responder = responderFor(deps, conversation(p.data.channel_id), p.data.user_id, respond as RespondFn);
    if (/^upgrade\s*$/i.test(p.data.text.trim())) {
      // trigger_id lives 3 s: open the modal right after ack, before anything else.
      try {
        await client.views.open({ trigger_id: p.data.trigger_id, view: upgradeModal({ channelId: p.data.channel_id }) as never });
      } catch (err) {
        const text = describeSlackError('views.open', err);
        log.error(text);
        await responder({ text: 'Could not open the upgrade form — type `/chainops upgrade <group> <version> --env <env>` instead.', blocks: [], ephemeral: true, severity: 'warn' });
      }
      return;
    }
    await deliver(deps, fromSlashCommand(p.data), responder);
  });

  app.event('app_mention', async ({ event, body }) => {
    const env = eventEnvelopeSchema.safeParse(body);
    const ev = appMentionSchema.safeParse(event);
    if (!env.success || !ev.success) return void log.warn('ignored a malformed app_mention event');
    if (ev.data.bot_id) return; // other bots mentioning us: never loop
    const d = fromMention(env.data.team_id, env.data.event_id, ev.data, deps.botUserId(), env.data.enterprise_id);
    await deliver(deps, d, responderFor(deps, d.event.conversation, ev.data.user));
  });

  app.action({ type: 'block_actions' }, async ({ ack, body, respond }) => {
    await ack();
    const p = blockActionsSchema.safeParse(body);
    if (!p.success) return void log.warn('ignored a malformed block_actions payload');
    const d = fromBlockAction(p.data);
    if (!d) return void log.info({ actionId: p.data.actions[0]?.action_id }, 'ignored a click outside any channel');
    await deliver(deps, d, responderFor(deps, d.event.conversation, p.data.user.id, respond as RespondFn | undefined));
  });

  app.view(UPGRADE_MODAL_ID, async ({ ack, body }) => {
    const p = viewSubmissionSchema.safeParse(body);
    if (!p.success) return void (await ack());
    const read = readUpgradeSubmission(p.data);
    if (!read.ok) return void (await ack({ response_action: 'errors', errors: read.errors }));
    await ack();
    const key = `slack:view:${p.data.view.id}`;
    const conv = conversation(read.meta.channelId, read.meta.threadId);
    const actor = slackActor(p.data.team?.id ?? p.data.user.team_id, p.data.user.id, p.data.enterprise?.id);
    const d: Delivery<ChatEvent> = { event: { kind: 'command', actor, conversation: conv, text: read.text, deliveryId: key }, key, ttlMs: DELIVERY_TTL_MS.retry };
    await deliver(deps, d, responderFor(deps, conv, p.data.user.id));
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    const ev = appHomeOpenedSchema.safeParse(event);
    if (!ev.success || (ev.data.tab && ev.data.tab !== 'home')) return;
    try {
      const envelope = body as { team_id?: string; enterprise_id?: string | null };
      const home = deps.homeView ? await deps.homeView(slackActor(envelope.team_id, ev.data.user, envelope.enterprise_id)) : defaultHome();
      const { blocks } = renderMessage(home, { maxBlocks: LIMITS.blocksPerView });
      await client.views.publish({ user_id: ev.data.user, view: { type: 'home', blocks } as never });
    } catch (err) {
      log.error({ user: ev.data.user }, describeSlackError('views.publish', err));
    }
  });

  app.error(async (err) => {
    log.error({ err: errorMessage(err) }, 'unhandled error in a Slack listener');
  });
}

function responderFor(deps: ListenerDeps, conv: Conversation, userId: string, respond?: RespondFn): Responder {
  return makeResponder({ chat: deps.chat, logger: deps.logger, conversation: conv, userId, ...(respond ? { respond } : {}) });
}

/** Claim the delivery once (retries, replays, double clicks), then hand it to the core. */
async function deliver(deps: ListenerDeps, d: Delivery<ChatEvent>, respond: Responder): Promise<void> {
  const log = deps.logger;
  let first: boolean;
  try {
    first = await deps.state.claimOnce(d.key, d.ttlMs);
  } catch (err) {
    // Without the claim we cannot promise "exactly one job": refuse visibly rather than risk two.
    log.error({ err: errorMessage(err), deliveryId: d.key }, 'could not claim a Slack delivery (state store)');
    await respond({ text: 'ChainOps cannot reach its state store right now — nothing was done. Try again in a minute.', blocks: [], ephemeral: true, severity: 'error' });
    return;
  }
  if (!first) return void log.info({ deliveryId: d.key }, 'dropped a duplicate Slack delivery');
  try {
    await deps.dispatch(d.event, respond);
  } catch (err) {
    log.error({ err: errorMessage(err), deliveryId: d.key }, 'dispatch failed for a Slack event');
  }
}

function defaultHome(): Message {
  return { text: 'ChainOps', blocks: [{ type: 'header', text: 'ChainOps' }, { type: 'text', text: 'Type `/chainops help` in any channel to see what you can run.' }] };
}
