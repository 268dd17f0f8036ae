/** The REST client all Discord calls go through (discord.js's `REST`: per-route rate-limit buckets, 429 retries). */
import { REST } from 'discord.js';

/** Default REST base; `DISCORD_API_URL` overrides it (a stand-in in tests). */
export const DEFAULT_API_URL = 'https://discord.com';

/** Mentions in what we post never ping anyone: messages echo user input and fleet names. */
export const NO_MENTIONS = { parse: [] as string[] };

/** `https://discord.com`, `https://discord.com/` or `…/api` → `https://discord.com/api` (what `REST({ api })` wants). */
export function apiRoot(apiUrl: string = DEFAULT_API_URL): string {
  const base = apiUrl.replace(/\/+$/, '').replace(/\/api(?:\/v\d+)?$/, '');
  return `${base}/api`;
}

/** Longest rate-limit wait a bot-token call sits through in process. @defaultValue 5 s */
export const MAX_REST_WAIT_MS = 5_000;

/**
 * REST options shared by both modes: a bot-token call that would wait longer than MAX_REST_WAIT_MS
 * for its bucket fails with a RateLimitError instead (the outbox parks it and sends it later).
 * Interaction callbacks and webhooks are left to wait: their answer has nowhere else to go.
 */
export const REST_OPTIONS = {
  rejectOnRateLimit: (info: { timeToReset: number; route: string }) =>
    info.timeToReset > MAX_REST_WAIT_MS && !info.route.startsWith('/interactions') && !info.route.startsWith('/webhooks'),
};

/** A REST client for the bot token (used directly in HTTP-interactions mode; gateway mode uses `client.rest`). */
export function makeRest(apiUrl: string | undefined, token: string): REST {
  return new REST({ api: apiRoot(apiUrl), version: '10', ...REST_OPTIONS }).setToken(token);
}
