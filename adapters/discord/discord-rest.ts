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

/** A REST client for the bot token (used directly in HTTP-interactions mode; gateway mode uses `client.rest`). */
export function makeRest(apiUrl: string | undefined, token: string): REST {
  return new REST({ api: apiRoot(apiUrl), version: '10' }).setToken(token);
}
