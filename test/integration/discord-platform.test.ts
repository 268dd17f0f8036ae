/**
 * Discord platform behaviour with the real discord.js client against the stand-in: two-step buttons
 * (Discord has no confirm dialog), REST errors as clear log lines instead of crashes, and a long 429
 * handed back to the caller with `retryAfterMs` instead of an in-process sleep.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { ActionEvent, ChatEvent } from '../../src/chat/chat-event.ts';
import type { Dispatch } from '../../src/chat/dispatch.ts';
import type { Message } from '../../src/chat/message.ts';
import { ChainopsError } from '../../src/errors.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { DiscordCallError } from '../../adapters/discord/discord-api-errors.ts';
import { startDiscord, type DiscordAdapter } from '../../adapters/discord/discord.adapter.ts';
import { componentInteraction, startDiscordStandIn, type DiscordStandIn, type RecordedCall } from '../stand-ins/discord.stand-in.ts';

const USER = { userId: '111111111111111111', roleIds: [] };
const text = (t: string): Message => ({ text: t, blocks: [{ type: 'text', text: t }] });

describe('Discord platform behaviour (gateway mode, stand-in)', () => {
  let si: DiscordStandIn;
  let discord: DiscordAdapter;
  const seen: ChatEvent[] = [];
  const logs: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  const dispatch: Dispatch = async (event, respond) => {
    seen.push(event);
    await respond({ text: 'done', blocks: [{ type: 'text', text: `did ${event.kind === 'action' ? event.actionId : event.text}` }] });
  };
  const callback = (i: { id: string; token: string }) =>
    si.waitForCall((c: RecordedCall) => c.route === `/api/v10/interactions/${i.id}/${i.token}/callback`);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    si = await startDiscordStandIn();
    discord = await startDiscord({
      token: si.token, applicationId: si.ids.applicationId, guildId: si.ids.guildId, apiUrl: si.apiBase, mode: 'gateway',
      dispatch, state: new MemoryStateStore(), autocomplete: async () => [],
      logger: pino({ level: 'debug' }, new Writable({ write(c, _e, done) { logs.push(String(c)); done(); } })),
    });
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await discord?.stop();
    await si?.stop();
  });

  async function postWithConfirm(): Promise<Record<string, unknown>> {
    const ref = await discord.chat.post({ platform: 'discord', channelId: si.ids.channelId }, {
      text: 'rollback?',
      blocks: [{ type: 'header', text: 'Rollout r-1' }, { type: 'actions', buttons: [{ actionId: 'rollout-rollback', label: 'Roll back', value: 'r-1', style: 'danger', confirm: { title: 'Roll back?', text: 'all nodes go back' } }] }],
    });
    return si.messages.get(ref.messageId)!;
  }

  test('a dangerous button asks first: its click only shows an ephemeral prompt, nothing is dispatched', async () => {
    const message = await postWithConfirm();
    const ask = si.sendInteraction(componentInteraction(si.ids, '?rollout-rollback:r-1', message, USER));
    const cb = await callback(ask);
    assert.equal(cb.body.type, 4);
    assert.equal(cb.body.data.flags, 64);
    assert.equal(cb.body.data.content, '**Roll back** — are you sure?\n> Rollout r-1');
    const [yes, cancel] = cb.body.data.components[0].components;
    assert.deepEqual([yes.label, yes.style, yes.custom_id], ['Yes, Roll back', 4, `!${message.id}:rollout-rollback:r-1`]);
    assert.equal(cancel.custom_id, '~');
    assert.equal(seen.length, 0);

    // Cancel: the prompt says so and loses its buttons; still nothing dispatched.
    const no = si.sendInteraction(componentInteraction(si.ids, '~', si.originalOf(ask.token)!, USER));
    assert.equal((await callback(no)).body.data.content, 'Cancelled — nothing was done.');
    assert.deepEqual(si.originalOf(ask.token)!.components, []);
    assert.equal(seen.length, 0);
  });

  test('confirming dispatches the action once, on the original message; the answer is a follow-up', async () => {
    const message = await postWithConfirm();
    const ask = si.sendInteraction(componentInteraction(si.ids, '?rollout-rollback:r-1', message, USER));
    await callback(ask);
    const prompt = si.originalOf(ask.token)!;
    const yes = si.sendInteraction(componentInteraction(si.ids, `!${message.id}:rollout-rollback:r-1`, prompt, USER));
    assert.deepEqual((await callback(yes)).body, { type: 7, data: { content: '**Roll back** — confirmed.', components: [], allowed_mentions: { parse: [] } } });
    const answer = await si.waitForCall((c) => c.method === 'POST' && c.route === `/api/v10/webhooks/${si.ids.applicationId}/${yes.token}`);
    assert.equal(answer.body.flags, undefined, 'a public answer is a public follow-up, not an edit of the ephemeral prompt');
    const event = seen.at(-1) as ActionEvent;
    assert.equal(event.actionId, 'rollout-rollback');
    assert.equal(event.value, 'r-1');
    assert.deepEqual(event.message, { platform: 'discord', channelId: si.ids.channelId, messageId: String(message.id) }, 'the action is about the message holding the button');
    assert.equal(seen.filter((e) => e.deliveryId === yes.id).length, 1);
    assert.deepEqual(si.messages.get(String(message.id))!.components, message.components, 'the original message is untouched by the prompt');
  });

  test('an error answer from Discord is one clear log line and a ChainopsError, never a crash', async () => {
    const gone = { platform: 'discord' as const, channelId: si.ids.channelId, messageId: '123456789012345678' };
    await assert.rejects(discord.chat.update(gone, text('x')), (e: unknown) =>
      e instanceof ChainopsError && e.code === 'unavailable' && /failed: 10008 Unknown Message — the message was deleted/.test(e.message));
    assert.ok(logs.some((l) => l.includes('"level":50') && l.includes('10008 Unknown Message')), 'logged at error level');
    assert.deepEqual(unhandled, []);
  });

  test('a long 429 is handed back with retryAfterMs at once, and another channel is not held up', async () => {
    const limited = '700000000000000077';
    si.rateLimitNext(new RegExp(`^/api/v10/channels/${limited}/messages$`), 30, 1);
    const t0 = Date.now();
    const err = await discord.chat.post({ platform: 'discord', channelId: limited }, text('to the limited channel')).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof DiscordCallError, String(err));
    assert.ok((err.retryAfterMs ?? 0) >= 29_000, `retryAfterMs ${err.retryAfterMs}`);
    assert.ok(Date.now() - t0 < 2_000, 'no 30 s sleep in process');
    assert.match(err.message, /rate-limited for 3\ds/);
    const ok = await discord.chat.post({ platform: 'discord', channelId: si.ids.channelId }, text('elsewhere'));
    assert.ok(ok.messageId);
    assert.ok(Date.now() - t0 < 3_000);
    assert.deepEqual(unhandled, []);
  });
});
