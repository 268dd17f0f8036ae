import { randomUUID } from 'node:crypto';

/**
 * Builders for the payloads Slack sends (field names as documented on docs.slack.dev), for
 * integration and e2e tests. Every builder takes overrides; ids default to stand-in values.
 */

export const TEAM = 'T0STANDIN';

export interface SlashOptions {
  text?: string; user?: string; team?: string; channel?: string; trigger?: string; responseUrl?: string; command?: string;
}

/** Form fields of a `/chainops …` request. */
export function slashCommandFields(o: SlashOptions = {}): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: o.team ?? TEAM,
    team_domain: 'standin',
    channel_id: o.channel ?? 'C0OPS',
    channel_name: 'ops',
    user_id: o.user ?? 'U0ALICE',
    user_name: 'alice',
    command: o.command ?? '/chainops',
    text: o.text ?? '',
    api_app_id: 'A0STANDIN',
    is_enterprise_install: 'false',
    response_url: o.responseUrl ?? 'https://hooks.slack.com/commands/T0STANDIN/1/abc',
    trigger_id: o.trigger ?? `${Date.now()}.${randomUUID().slice(0, 8)}`,
  };
}

/** An Events API envelope around `event`. */
export function eventEnvelope(event: Record<string, unknown>, o: { eventId?: string; team?: string } = {}): Record<string, unknown> {
  return {
    token: 'deprecated-verification-token',
    team_id: o.team ?? TEAM,
    api_app_id: 'A0STANDIN',
    event: { event_ts: String(event.ts ?? `${Date.now() / 1000}`), ...event },
    type: 'event_callback',
    event_id: o.eventId ?? `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: o.team ?? TEAM, user_id: 'U0CHAINOPS', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

export function appMention(o: { text: string; user?: string; channel?: string; ts?: string; threadTs?: string }): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: o.user ?? 'U0ALICE',
    text: o.text,
    ts: o.ts ?? '1700000000.000100',
    channel: o.channel ?? 'C0OPS',
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
  };
}

export function appHomeOpened(user = 'U0ALICE'): Record<string, unknown> {
  return { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` };
}

export interface ClickOptions {
  actionId: string; value?: string; user?: string; team?: string; channel?: string; messageTs: string; threadTs?: string; responseUrl?: string;
}

/** A `block_actions` payload for a button in a channel message. */
export function blockActions(o: ClickOptions): Record<string, unknown> {
  const channel = o.channel ?? 'C0OPS';
  return {
    type: 'block_actions',
    user: { id: o.user ?? 'U0BOB', username: 'bob', team_id: o.team ?? TEAM },
    api_app_id: 'A0STANDIN',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: o.messageTs, channel_id: channel, is_ephemeral: false, ...(o.threadTs ? { thread_ts: o.threadTs } : {}) },
    trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
    team: { id: o.team ?? TEAM, domain: 'standin' },
    channel: { id: channel, name: 'ops' },
    message: { type: 'message', ts: o.messageTs, bot_id: 'B0CHAINOPS', text: 'ChainOps', ...(o.threadTs ? { thread_ts: o.threadTs } : {}) },
    response_url: o.responseUrl ?? 'https://hooks.slack.com/actions/T0STANDIN/1/abc',
    actions: [{ type: 'button', action_id: o.actionId, block_id: 'cb0-actions', ...(o.value ? { value: o.value } : {}), text: { type: 'plain_text', text: 'x' }, action_ts: `${Date.now() / 1000}` }],
  };
}

/** A `view_submission` of the upgrade modal. */
export function upgradeSubmission(o: { target: string; version: string; env: string; channel?: string; user?: string; viewId?: string }): Record<string, unknown> {
  const v = (value: string) => ({ value: { type: 'plain_text_input', value } });
  return {
    type: 'view_submission',
    team: { id: TEAM, domain: 'standin' },
    user: { id: o.user ?? 'U0ALICE', team_id: TEAM },
    api_app_id: 'A0STANDIN',
    trigger_id: `${Date.now()}.tr`,
    view: {
      id: o.viewId ?? `V${randomUUID().slice(0, 8).toUpperCase()}`,
      type: 'modal',
      callback_id: 'chainops_upgrade',
      private_metadata: JSON.stringify({ c: o.channel ?? 'C0OPS' }),
      hash: '1.abc',
      state: { values: { target: v(o.target), version: v(o.version), env: v(o.env) } },
    },
  };
}
