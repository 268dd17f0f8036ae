/**
 * The real discord.js client, started by `startDiscord`, against the loopback Discord stand-in:
 * registration, interactions (command, button, autocomplete), ChatPort routes, threads, rate limits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { ActionEvent, ChatEvent, CommandEvent } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import type { Dispatch } from '../../src/chat/dispatch.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { startDiscord, type DiscordAdapter } from '../../adapters/discord/discord.adapter.ts';
import { buildChainopsCommand } from '../../adapters/discord/discord-command.builder.ts';
import {
  autocompleteInteraction, chatInputInteraction, componentInteraction, startDiscordStandIn, type DiscordStandIn, type RecordedCall,
} from '../stand-ins/discord.stand-in.ts';

const OPERATOR = { userId: '111111111111111111', roleIds: ['222222222222222222', '333333333333333333'] };
const VERSIONS = Array.from({ length: 40 }, (_, i) => `1.${Math.floor(i / 10)}.${i % 10}`);

/** What the in-test dispatch saw, and how it answers: a function per test, set before sending. */
const seen: Array<{ event: ChatEvent; refs: Array<unknown> }> = [];
let answer: (e: ChatEvent, respond: Parameters<Dispatch>[1]) => Promise<unknown[]> = async () => [];
const dispatch: Dispatch = async (event, respond) => {
  const entry = { event, refs: [] as unknown[] };
  seen.push(entry);
  entry.refs = await answer(event, respond);
};

async function until<T>(get: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const text = (t: string, extra: Partial<Message> = {}): Message => ({ text: t, blocks: [{ type: 'text', text: t }], ...extra });
const isCallback = (id: string) => (c: RecordedCall) => c.route.startsWith(`/api/v10/interactions/${id}/`) && c.route.endsWith('/callback');

describe('Discord adapter, gateway mode', () => {
  let si: DiscordStandIn;
  let discord: DiscordAdapter;
  const state = new MemoryStateStore();

  before(async () => {
    si = await startDiscordStandIn();
    discord = await startDiscord({
      token: si.token, applicationId: si.ids.applicationId, guildId: si.ids.guildId, apiUrl: si.apiBase, mode: 'gateway',
      dispatch, state, logger: pino({ level: 'silent' }),
      autocomplete: async (kind, prefix) => (kind === 'version' ? VERSIONS.filter((v) => v.startsWith(prefix)) : ['eth-main', 'eth-archive', 'btc-main']),
    });
  });
  after(async () => {
    await discord?.stop();
    await si?.stop();
  });

  test('connects with minimal intents and registers /chainops generated from the grammar', () => {
    const put = si.calls.find((c) => c.method === 'PUT');
    assert.equal(put?.route, `/api/v10/applications/${si.ids.applicationId}/guilds/${si.ids.guildId}/commands`);
    assert.equal(put?.auth, `Bot ${si.token}`);
    assert.deepEqual(put?.body, [buildChainopsCommand()]);
    assert.ok(si.calls.some((c) => c.method === 'GET' && c.route === '/api/v10/gateway/bot'));
    assert.deepEqual(si.identifies, [{ token: si.token, intents: 1 }], 'Guilds only');
  });

  test('a slash command is deferred within 3 s, dispatched as command text with roles, and its reply edits @original', async () => {
    answer = async (_e, respond) => [await respond({ text: 'status', severity: 'ok', blocks: [{ type: 'header', text: 'All good' }] })];
    const sentAt = Date.now();
    const i = si.sendInteraction(chatInputInteraction(si.ids, 'upgrade', [
      { name: 'target', type: 3, value: 'eth-main' }, { name: 'version', type: 3, value: '1.14.3' }, { name: 'env', type: 3, value: 'prod' },
    ], OPERATOR));
    const defer = await si.waitForCall(isCallback(i.id));
    assert.ok(defer.at - sentAt < 3_000, `deferred after ${defer.at - sentAt}ms`);
    assert.deepEqual(defer.body, { type: 5, data: {} }, 'a valid command is deferred publicly');
    assert.equal(defer.query.with_response, 'false');
    assert.equal(defer.auth, undefined, 'interaction callbacks carry no bot token');
    const edit = await si.waitForCall((c) => c.method === 'PATCH' && c.path.endsWith(`/${i.token}/messages/%40original`));
    assert.equal(edit.auth, undefined);
    assert.equal(edit.body.embeds[0].title, 'All good');
    const entry = await until(() => seen.find((s) => s.event.deliveryId === i.id && s.refs.length > 0));
    const ev = entry.event as CommandEvent;
    assert.equal(ev.kind, 'command');
    assert.equal(ev.text, '/chainops upgrade eth-main 1.14.3 --env prod');
    assert.deepEqual({ ...ev.actor, displayName: undefined }, { platform: 'discord', id: OPERATOR.userId, roleIds: OPERATOR.roleIds, displayName: undefined });
    assert.deepEqual(ev.conversation, { platform: 'discord', channelId: si.ids.channelId });
    const ref = entry.refs[0] as { messageId: string };
    assert.ok(si.messages.has(ref.messageId), 'the responder returns the posted message');

    // While the interaction token lives, edits of that message go through the webhook, not the bot token.
    await discord.chat.update(ref as never, text('edited'));
    const webhookEdit = await si.waitForCall((c) => c.method === 'PATCH' && c.route.endsWith(`/${i.token}/messages/${ref.messageId}`));
    assert.equal(webhookEdit.auth, undefined);
  });

  test('help and input the parser refuses are deferred ephemeral', async () => {
    answer = async (_e, respond) => [await respond(text('usage…', { ephemeral: true }))];
    const help = si.sendInteraction(chatInputInteraction(si.ids, 'help', [], OPERATOR));
    const bad = si.sendInteraction(chatInputInteraction(si.ids, 'upgrade', [{ name: 'target', type: 3, value: 'eth-main' }, { name: 'version', type: 3, value: 'latest please' }], OPERATOR));
    for (const i of [help, bad]) {
      assert.deepEqual((await si.waitForCall(isCallback(i.id))).body, { type: 5, data: { flags: 64 } });
      await si.waitForCall((c) => c.method === 'PATCH' && c.path.endsWith(`/${i.token}/messages/%40original`));
    }
  });

  test('a refusal after a public deferral is shown only to the asker', async () => {
    answer = async (_e, respond) => [await respond(text('you need the operator role', { ephemeral: true, severity: 'error' }))];
    const i = si.sendInteraction(chatInputInteraction(si.ids, 'status', [], OPERATOR));
    await si.waitForCall((c) => c.method === 'DELETE' && c.path.endsWith(`/${i.token}/messages/%40original`));
    const follow = await si.waitForCall((c) => c.method === 'POST' && c.route === `/api/v10/webhooks/${si.ids.applicationId}/${i.token}`);
    assert.equal(follow.body.flags, 64);
    assert.equal(follow.query.wait, 'true');
  });

  test('the same interaction delivered twice is handled once', async () => {
    answer = async () => [];
    const i = chatInputInteraction(si.ids, 'status', [], OPERATOR);
    si.sendInteraction(i);
    si.sendInteraction(i);
    // Dispatches arrive in order: once a later interaction is answered, the duplicate has been seen too.
    const marker = si.sendInteraction(chatInputInteraction(si.ids, 'status', [], OPERATOR));
    await si.waitForCall(isCallback(marker.id));
    await until(() => seen.find((s) => s.event.deliveryId === marker.id));
    assert.equal(si.calls.filter(isCallback(i.id)).length, 1);
    assert.equal(seen.filter((s) => s.event.deliveryId === i.id).length, 1);
  });

  test('a button click is deferred (type 6) and becomes an ActionEvent on its message; a public answer edits that message', async () => {
    answer = async () => [];
    const root = await discord.chat.post({ platform: 'discord', channelId: si.ids.channelId }, {
      text: 'approve?', blocks: [{ type: 'text', text: 'Upgrade prod?' }, { type: 'actions', buttons: [{ actionId: 'approve', value: 'ap-7k2m', label: 'Approve', style: 'primary' }] }],
    });
    const message = si.messages.get(root.messageId)!;
    assert.equal((message.components as any)[0].components[0].custom_id, 'approve:ap-7k2m');
    answer = async (_e, respond) => [await respond(text('approved by you', { ephemeral: true })), await respond({ text: 'approved', blocks: [{ type: 'text', text: 'Approved' }] })];
    const click = si.sendInteraction(componentInteraction(si.ids, 'approve:ap-7k2m', message, { userId: '444444444444444444', roleIds: ['555555555555555555'] }));
    assert.deepEqual((await si.waitForCall(isCallback(click.id))).body, { type: 6 });
    const entry = await until(() => seen.find((s) => s.event.deliveryId === click.id && s.refs.length === 2));
    const ev = entry.event as ActionEvent;
    assert.equal(ev.actionId, 'approve');
    assert.equal(ev.value, 'ap-7k2m');
    assert.deepEqual(ev.actor.roleIds, ['555555555555555555']);
    assert.deepEqual(ev.message, root);
    const eph = await si.waitForCall((c) => c.method === 'POST' && c.route === `/api/v10/webhooks/${si.ids.applicationId}/${click.token}`);
    assert.equal(eph.body.flags, 64);
    await si.waitForCall((c) => c.method === 'PATCH' && c.path.endsWith(`/${click.token}/messages/%40original`));
    const edited = si.messages.get(root.messageId)!;
    assert.deepEqual(edited.components, [], 'buttons removed');
    assert.equal((edited.embeds as any)[0].description, 'Approved');
  });

  test('autocomplete answers with ≤ 25 matching choices from the fleet', async () => {
    const i = si.sendInteraction(autocompleteInteraction(si.ids, 'upgrade', [
      { name: 'target', type: 3, value: 'eth-main' }, { name: 'version', type: 3, value: '1.', focused: true },
    ], OPERATOR));
    const cb = await si.waitForCall(isCallback(i.id));
    assert.equal(cb.body.type, 8);
    assert.equal(cb.body.data.choices.length, 25);
    assert.ok(cb.body.data.choices.every((c: { name: string; value: string }) => c.value.startsWith('1.') && c.name === c.value));
    const t = si.sendInteraction(autocompleteInteraction(si.ids, 'nodes', [{ name: 'group', type: 3, value: 'eth', focused: true }], OPERATOR));
    assert.deepEqual((await si.waitForCall(isCallback(t.id))).body.data.choices.map((c: { value: string }) => c.value), ['eth-main', 'eth-archive']);
  });

  test('ChatPort: post, update with the bot token, and replyInThread starts one thread and posts there', async () => {
    const conv = { platform: 'discord' as const, channelId: si.ids.channelId };
    const ref = await discord.chat.post(conv, { text: 'alert', severity: 'error', blocks: [{ type: 'header', text: 'eth-3 is 40 blocks behind' }] });
    const post = si.calls.find((c) => c.method === 'POST' && c.route === `/api/v10/channels/${si.ids.channelId}/messages` && c.body.embeds?.[0]?.title === 'eth-3 is 40 blocks behind')!;
    assert.equal(post.auth, `Bot ${si.token}`);
    assert.deepEqual(post.body.allowed_mentions, { parse: [] });
    await discord.chat.update(ref, text('resolved'));
    await si.waitForCall((c) => c.method === 'PATCH' && c.route === `/api/v10/channels/${si.ids.channelId}/messages/${ref.messageId}` && c.auth === `Bot ${si.token}`);
    const [a, b] = await Promise.all([discord.chat.replyInThread(ref, text('first detail')), discord.chat.replyInThread(ref, text('second detail'))]);
    const starts = si.calls.filter((c) => c.route === `/api/v10/channels/${si.ids.channelId}/messages/${ref.messageId}/threads`);
    assert.equal(starts.length, 1, 'one thread per message');
    assert.equal(starts[0]!.body.name, 'eth-3 is 40 blocks behind', 'named after the root message');
    assert.equal(a.threadId, ref.messageId);
    assert.equal(b.threadId, ref.messageId);
    assert.equal(si.calls.filter((c) => c.method === 'POST' && c.route === `/api/v10/channels/${ref.messageId}/messages`).length, 2);
    assert.equal((await state.getMessageRef(`discord:thread:${ref.channelId}:${ref.messageId}`))?.threadId, ref.messageId);
    await discord.chat.update(a, text('detail edited'));
    await si.waitForCall((c) => c.method === 'PATCH' && c.route === `/api/v10/channels/${ref.messageId}/messages/${a.messageId}`);
  });

  test('a 429 on one channel does not delay posts to another', async () => {
    const slowChannel = '700000000000000099';
    si.rateLimitNext(new RegExp(`^/api/v10/channels/${slowChannel}/messages$`), 2, 1);
    const t0 = Date.now();
    const slow = discord.chat.post({ platform: 'discord', channelId: slowChannel }, text('to the limited channel')).then(() => Date.now() - t0);
    await si.waitForCall((c) => c.route === `/api/v10/channels/${slowChannel}/messages`);
    const fast = await discord.chat.post({ platform: 'discord', channelId: si.ids.channelId }, text('to another channel')).then(() => Date.now() - t0);
    assert.ok(fast < 1_000, `other channel took ${fast}ms`);
    const slowMs = await slow;
    assert.ok(slowMs >= 1_900, `the limited post waited its retry_after (${slowMs}ms)`);
    assert.equal(si.calls.filter((c) => c.route === `/api/v10/channels/${slowChannel}/messages`).length, 2, 'retried once after the 429');
  });

  test('after the gateway drops, the client resumes and interactions still arrive', async () => {
    answer = async (_e, respond) => [await respond(text('still here'))];
    si.dropGateway(4000);
    await until(() => (si.gatewayStats.resumes > 0 ? true : undefined), 15_000);
    assert.equal(si.identifies.length, 1, 'resumed, not re-identified');
    const i = si.sendInteraction(chatInputInteraction(si.ids, 'status', [], OPERATOR));
    await si.waitForCall(isCallback(i.id), 5_000);
  });
});
