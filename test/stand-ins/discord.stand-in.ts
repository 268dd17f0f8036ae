/**
 * A Discord stand-in on loopback: the gateway (discord-gateway.stand-in.ts) and the REST routes ChainOps
 * uses (discord-rest.stand-in.ts) on one port. Point discord.js at it with `rest: { api: apiBase + '/api' }`
 * (or DISCORD_API_URL=apiBase); the gateway URL comes from its GET /api/v10/gateway/bot.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachGateway } from './discord-gateway.stand-in.ts';
import { snowflake, type StandInIds } from './discord-payloads.stand-in.ts';
import { applyCallback, handleRest, type RecordedCall, type RestState } from './discord-rest.stand-in.ts';

export type { RecordedCall } from './discord-rest.stand-in.ts';
export { autocompleteInteraction, chatInputInteraction, componentInteraction } from './discord-payloads.stand-in.ts';

export interface DiscordStandInOptions {
  /** The bot token the stand-in accepts. @defaultValue 'test-bot-token' */
  token?: string;
  applicationId?: string;
  guildId?: string;
  channelId?: string;
}

export interface DiscordStandIn {
  /** `http://127.0.0.1:<port>` — the REST base (`/api/v10/...` under it) and the gateway's host. */
  apiBase: string;
  token: string;
  ids: StandInIds;
  calls: RecordedCall[];
  /** Messages by id as the stand-in holds them (after edits), e.g. to build a click on one. */
  messages: Map<string, Record<string, unknown>>;
  /** Identify payloads received over the gateway. */
  identifies: Array<{ token: string; intents: number }>;
  /** Gateway counters: RESUMEs answered. */
  gatewayStats: { resumes: number };
  /** Send INTERACTION_CREATE; returns the payload (with its `id` and `token`). */
  sendInteraction<T extends { id: string; token: string; channel_id: string }>(payload: T): T;
  /**
   * HTTP-interactions mode: play Discord and POST `payload` to the bot's endpoint with the headers
   * `sign(body)` returns; a deferred/immediate answer then opens the interaction's webhook routes.
   */
  deliverHttpInteraction(url: string, payload: { token: string; channel_id: string }, sign: (body: string) => Record<string, string>): Promise<{ status: number; body: any }>;
  /** The interaction's @original message as the stand-in holds it now (a command's reply, a click's message). */
  originalOf(token: string): Record<string, unknown> | undefined;
  /** Send any gateway dispatch (e.g. MESSAGE_CREATE). */
  sendDispatch(t: string, d: unknown): void;
  /** The first recorded call matching `pred` (earlier ones count), or an error after `timeoutMs`. */
  waitForCall(pred: (c: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** The next `n` requests whose decoded path matches get 429 with `retry_after` seconds. */
  rateLimitNext(pathRegex: RegExp, retryAfterSec: number, n?: number): void;
  waitForReady(timeoutMs?: number): Promise<void>;
  /** Close the gateway sockets (4000: the client resumes). */
  dropGateway(code?: number): void;
  stop(): Promise<void>;
}

export async function startDiscordStandIn(opts: DiscordStandInOptions = {}): Promise<DiscordStandIn> {
  const token = opts.token ?? 'test-bot-token';
  const ids: StandInIds = {
    applicationId: opts.applicationId ?? '900000000000000001',
    guildId: opts.guildId ?? '800000000000000001',
    channelId: opts.channelId ?? '700000000000000001',
    botUserId: '900000000000000002',
  };
  const st: RestState = { calls: [], messages: new Map(), interactions: new Map(), threads: new Map(), rateLimits: [], onCall: [] };
  let port = 0;
  const wsUrl = () => `ws://127.0.0.1:${port}`;
  const server = createServer((req, res) => handleRest(ids, st, wsUrl, token, req, res));
  const gateway = attachGateway(server, ids, wsUrl, token);
  // Discord tells the guild about new threads; discord.js caches them from this event.
  st.onThreadCreate = (thread) => gateway.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  return {
    apiBase: `http://127.0.0.1:${port}`,
    token,
    ids,
    calls: st.calls,
    messages: st.messages,
    identifies: gateway.identifies,
    gatewayStats: gateway.stats,
    sendInteraction(payload) {
      st.interactions.set(payload.token, { channelId: payload.channel_id, acked: false, ...originalOf(payload as { message?: unknown }) });
      gateway.dispatch('INTERACTION_CREATE', payload);
      return payload;
    },
    async deliverHttpInteraction(url, payload, sign) {
      const body = JSON.stringify(payload);
      st.interactions.set(payload.token, { channelId: payload.channel_id, acked: false, ...originalOf(payload as { message?: unknown }) });
      const res = await fetch(url, { method: 'POST', headers: sign(body), body });
      const text = await res.text();
      const answer = text ? JSON.parse(text) : undefined;
      const rec = st.interactions.get(payload.token)!;
      if (res.status === 200 && [4, 5, 6, 7].includes(Number(answer?.type))) applyCallback(ids, st, rec, Number(answer.type), answer.data);
      return { status: res.status, body: answer };
    },
    originalOf(token) {
      const id = st.interactions.get(token)?.originalId;
      return id ? st.messages.get(id) : undefined;
    },
    sendDispatch: (t, d) => void gateway.dispatch(t, d),
    waitForCall(pred, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = st.calls.find(pred);
          if (!hit) return false;
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          const i = st.onCall.indexOf(onCall);
          if (i >= 0) st.onCall.splice(i, 1);
          if (!check()) reject(new Error(`no matching Discord call within ${timeoutMs}ms; saw ${st.calls.map((c) => `${c.method} ${c.route}`).join(', ')}`));
        }, timeoutMs);
        // Re-checked on every new call; a call list only grows, so this cannot miss one.
        const onCall = () => {
          if (!check()) st.onCall.push(onCall);
        };
        if (!check()) st.onCall.push(onCall);
      });
    },
    rateLimitNext(pathRegex, retryAfterSec, n = 1) {
      st.rateLimits.push({ re: pathRegex, retryAfter: retryAfterSec, left: n });
    },
    waitForReady: (timeoutMs = 10_000) => gateway.waitForReady(timeoutMs),
    dropGateway: (code) => gateway.dropAll(code),
    async stop() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A clicked button's @original is the message holding it. */
function originalOf(payload: { message?: unknown }): { originalId?: string } {
  const m = payload.message as { id?: string } | undefined;
  return m?.id ? { originalId: m.id } : {};
}

/** A fresh snowflake, for tests that need ids (users, roles). */
export { snowflake };
