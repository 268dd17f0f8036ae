import { ChainopsError } from '../../src/errors.ts';

/**
 * Reading Slack Web API failures without importing the SDK's classes: errors are matched on their
 * documented `code` strings (`slack_webapi_*`) and Slack's own `error` field.
 */

interface SlackErrorShape {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string; needed?: string; response_metadata?: { retryAfter?: number; messages?: string[] } };
  original?: { message?: string };
  message?: string;
}

/** Seconds to wait when the error is a rate limit (HTTP 429 or `ok:false, error:ratelimited`). */
export function rateLimitDelaySec(err: unknown): number | undefined {
  const e = err as SlackErrorShape;
  if (e?.code === 'slack_webapi_rate_limited_error') return Math.max(0, e.retryAfter ?? 1);
  if (e?.code === 'slack_webapi_platform_error' && e.data?.error === 'ratelimited') {
    return Math.max(0, e.data.response_metadata?.retryAfter ?? 1);
  }
  return undefined;
}

/** Slack's short error code (`channel_not_found`), or the transport failure kind. */
export function slackErrorCode(err: unknown): string {
  const e = err as SlackErrorShape;
  if (e?.code === 'slack_webapi_platform_error') return e.data?.error ?? 'unknown_error';
  if (e?.code === 'slack_webapi_http_error') return `http_${e.statusCode ?? 'error'}`;
  if (e?.code === 'slack_webapi_request_error') return 'request_failed';
  if (e?.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  return 'unexpected_error';
}

const HINTS: Record<string, string> = {
  not_in_channel: 'invite the bot to the channel (`/invite @ChainOps`)',
  channel_not_found: 'the channel id is wrong, or the bot cannot see that private channel — invite it',
  is_archived: 'the channel is archived; route these messages elsewhere',
  message_not_found: 'the message was deleted or its ts is wrong; a new one will be needed',
  cant_update_message: 'only messages the bot posted itself can be edited',
  edit_window_closed: 'the workspace forbids editing messages this old',
  msg_too_long: 'the text is over Slack\'s length limit (renderer bug: please report)',
  msg_blocks_too_long: 'the blocks are over Slack\'s size limit (renderer bug: please report)',
  invalid_blocks: 'Slack refused the Block Kit JSON (renderer bug: please report)',
  invalid_auth: 'check SLACK_BOT_TOKEN (it must be the xoxb- token of this workspace)',
  not_authed: 'SLACK_BOT_TOKEN is missing',
  token_revoked: 'the bot token was revoked; reinstall the app and update SLACK_BOT_TOKEN',
  account_inactive: 'the app was uninstalled or its token deactivated; reinstall it',
  missing_scope: 'add the scope named in "needed" to the app manifest and reinstall',
  ratelimited: 'Slack is rate-limiting this channel; the post will be retried later',
  request_failed: 'Slack could not be reached; check the network or SLACK_API_URL',
  expired_trigger_id: 'the 3-second window for opening a modal passed; type the command again',
};

/** One readable line for logs and errors, e.g. `Slack chat.update failed: message_not_found — …`. */
export function describeSlackError(method: string, err: unknown): string {
  const e = err as SlackErrorShape;
  const code = slackErrorCode(err);
  const needed = e?.data?.needed ? ` (needed: ${e.data.needed})` : '';
  const detail = code === 'request_failed' && e.original?.message ? ` (${e.original.message})` : '';
  const hint = HINTS[code] ?? (code.startsWith('http_') ? 'Slack answered with an unexpected HTTP status' : 'see the Slack method docs');
  return `Slack ${method} failed: ${code}${needed}${detail} — ${hint}`;
}

/**
 * A call Slack rate-limited for longer than the bot waits in process. `retryAfterMs` tells a caller
 * that can come back later (the outbox) when to try again; others treat it as `unavailable`.
 */
export class SlackRateLimitedError extends ChainopsError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super('unavailable', message, options);
    this.name = 'SlackRateLimitedError';
  }
}
