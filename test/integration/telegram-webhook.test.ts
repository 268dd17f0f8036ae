/**
 * The Telegram adapter in webhook mode, in process, through the real grammY against the Bot API
 * stand-in and a real Redis: setWebhook registers the secret token; an update with a forged or missing
 * X-Telegram-Bot-Api-Secret-Token is refused before anything reads it; a genuine one becomes one
 * ChatEvent (redeliveries are dropped); posts honour forum topics and Telegram's limits.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisStateStore } from '../../adapters/redis/redis-state.store.ts';
import { startTelegram, type TelegramAdapter } from '../../adapters/telegram/telegram.adapter.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram.stand-in.ts';

const TOKEN = `4242:${randomBytes(24).toString('base64url')}`;
const SECRET = randomBytes(24).toString('base64url');
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

let server: RedisServerHandle;
let redis: Redis;
let tg: TelegramStandIn;
let adapter: TelegramAdapter;
const events: ChatEvent[] = [];

before(async () => {
  [server, tg] = await Promise.all([startRedisServer({ appendonly: false }), startTelegramStandIn({ token: TOKEN })]);
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const prefix = `test-tg-${randomUUID()}`;
  adapter = await startTelegram({
    token: TOKEN, apiUrl: tg.url, mode: 'webhook', webhookSecret: SECRET, webhookUrl: 'https://bot.example.com/telegram/webhook', port: 0,
    dispatch: async (e, respond) => {
      events.push(e);
      await respond({ text: 'ok', blocks: [{ type: 'text', text: `got ${e.kind === 'command' ? e.text : e.actionId}` }] });
    },
    state: new RedisStateStore(redis, { prefix }), redis, prefix, logger: quiet,
  });
});
after(async () => {
  await adapter?.stop();
  redis?.disconnect();
  await tg?.stop();
  await server?.stop();
});

const post = (body: unknown, secret?: string) => fetch(adapter.url!, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}) } });

describe('Telegram webhook mode', () => {
  it('registers the webhook with its secret token, and a command menu Telegram accepts', () => {
    assert.deepEqual(tg.webhook, { url: 'https://bot.example.com/telegram/webhook', secret_token: SECRET });
    const menu = tg.callsOf('setMyCommands')[0]!;
    assert.equal(menu.status, 200);
    assert.ok((menu.body.commands as Array<{ command: string }>).some((c) => c.command === 'chainops'));
  });

  it('refuses an update with a forged or missing secret token, and dispatches nothing', async () => {
    tg.userSays({ id: -100500 }, { id: 1001, username: 'carol' }, '/chainops status');
    const update = tg.lastUpdate();
    assert.equal((await post(update, 'forged-secret-token-000')).status, 401);
    assert.equal((await post(update)).status, 401);
    assert.equal(events.length, 0);
  });

  it('dispatches a genuine update once (a redelivery is dropped), with the Telegram user id as the identity', async () => {
    tg.userSays({ id: -100500 }, { id: 1001, username: 'carol' }, '/nodes@ChainOpsBot eth');
    const update = tg.lastUpdate();
    assert.equal((await post(update, SECRET)).status, 200);
    assert.equal((await post(update, SECRET)).status, 200);
    await waitFor(async () => tg.messages.find((m) => m.text === 'got nodes eth'), { what: 'the answer', timeoutMs: 10_000, intervalMs: 20 });
    assert.equal(events.length, 1);
    const e = events[0]!;
    assert.equal(e.kind, 'command');
    assert.deepEqual(e.actor, { platform: 'telegram', id: '1001', roleIds: [], displayName: '@carol' });
    assert.deepEqual(e.conversation, { platform: 'telegram', channelId: '-100500' });
  });

  it('posts into a forum topic, replies in a reply chain, and keeps long text with <, > and & within 4096 characters', async () => {
    const root = await adapter.chat.post({ platform: 'telegram', channelId: '-100500:42' }, { text: 'x', blocks: [{ type: 'header', text: 'a <b> & c' }, { type: 'code', text: '<&>'.repeat(3000) }] });
    const stored = tg.messages.find((m) => String(m.messageId) === root.messageId)!;
    assert.equal(stored.threadId, 42);
    assert.ok(stored.text.length <= 4096, String(stored.text.length));
    assert.match(stored.text, /^a <b> & c/);
    const reply = await adapter.chat.replyInThread(root, { text: 'r', blocks: [{ type: 'text', text: 'in the chain' }] });
    assert.equal(tg.messages.find((m) => String(m.messageId) === reply.messageId)!.replyTo, Number(root.messageId));
  });
});
