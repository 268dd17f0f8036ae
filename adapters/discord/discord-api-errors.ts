/**
 * Discord REST failures as one readable line and a ChainopsError, without relying on `instanceof`
 * (errors are read by shape: DiscordAPIError has `code`/`status`/`method`/`url`, HTTPError `status`,
 * RateLimitError `timeToReset`). Interaction tokens in URLs are masked: they act for 15 minutes.
 */
import { ChainopsError } from '../../src/errors.ts';

interface DiscordErrorShape {
  name?: string;
  message?: string;
  code?: number | string;
  status?: number;
  method?: string;
  url?: string;
  route?: string;
  timeToReset?: number;
  retryAfter?: number;
}

/** Documented JSON error codes we meet (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json). */
const HINTS: Record<string, string> = {
  '10003': 'the channel was deleted or the id is wrong; fix the channel in the fleet file',
  '10008': 'the message was deleted; a new one will be posted next time',
  '10015': 'the interaction webhook expired (15 minutes); the bot token is used instead',
  '10062': 'the interaction expired before it was answered (3 s); try again',
  '40060': 'the interaction was already answered',
  '50001': 'the bot cannot see that channel: invite it, or give it View Channel there',
  '50013': 'the bot lacks a permission there (Send Messages, Create Public Threads, Embed Links)',
  '50035': 'Discord refused the message body (renderer bug: please report)',
  '160004': 'that message already has a thread',
  http_401: 'check DISCORD_TOKEN (the bot token of this application)',
  http_403: 'the bot lacks access or a permission there',
  http_429: 'Discord is rate-limiting this route; it will be sent again later',
};

/** `/api/v10/webhooks/1/<token>/messages/2` → `/api/v10/webhooks/1/***\/messages/2`, no origin. */
export function maskRoute(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    /* already a path */
  }
  return path.replace(/\/(webhooks|interactions)\/(\d+)\/[^/?]+/g, '/$1/$2/***');
}

/** One line for the log: `Discord PATCH /api/v10/channels/1/messages/2 failed: 10008 Unknown Message — …`. */
export function describeDiscordError(err: unknown): string {
  const e = (err ?? {}) as DiscordErrorShape;
  const where = e.method && e.url ? `${e.method.toUpperCase()} ${maskRoute(e.url)}` : e.route ? maskRoute(e.route) : 'request';
  if (typeof e.timeToReset === 'number') return `Discord ${where} rate-limited for ${Math.ceil(e.timeToReset / 1000)}s — ${HINTS.http_429}`;
  const code = e.code !== undefined && e.code !== 0 ? String(e.code) : e.status ? `http_${e.status}` : undefined;
  const hint = (code && HINTS[code]) ?? (e.status && e.status >= 500 ? 'Discord had a server error; try again shortly' : 'see Discord\'s error code list');
  const what = e.code !== undefined && e.code !== 0 ? `${e.code} ${e.message ?? ''}`.trim() : e.status ? `HTTP ${e.status}` : (e.message ?? String(err));
  return `Discord ${where} failed: ${maskRoute(what)} — ${hint}`;
}

/** The error a ChatPort call throws: `unavailable`, with `retryAfterMs` when Discord said to wait. */
export class DiscordCallError extends ChainopsError {
  readonly retryAfterMs?: number;

  constructor(err: unknown) {
    super('unavailable', describeDiscordError(err), { cause: err });
    this.name = 'DiscordCallError';
    const e = err as DiscordErrorShape;
    if (typeof e?.timeToReset === 'number') this.retryAfterMs = Math.max(e.timeToReset, e.retryAfter ?? 0);
  }
}
