/** Discord's two-step buttons (no native confirm dialog) and readable REST errors. Pure, no I/O. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDiscordError, DiscordCallError, maskRoute } from '../../adapters/discord/discord-api-errors.ts';
import { renderActionRows } from '../../adapters/discord/discord-components.renderer.ts';
import { cancelledUpdate, confirmedUpdate, confirmPrompt } from '../../adapters/discord/discord-confirm.ts';
import { CANCEL_ID, encodeAskFirstId, encodeConfirmedId, encodeCustomId, parseButtonId } from '../../adapters/discord/discord-custom-id.ts';
import { interactionSlice } from '../../adapters/discord/discord-interaction.schema.ts';
import type { Button } from '../../src/chat/message.ts';

const approve: Button = { actionId: 'approve', label: 'Approve', value: 'ap-7k2m', style: 'primary', confirm: { title: 'Approve?', text: 'upgrade in prod' } };
const reject: Button = { actionId: 'reject', label: 'Reject', value: 'ap-7k2m', style: 'danger' };

test('a button with confirm gets an ask-first id; one without keeps its plain id', () => {
  const { rows, dropped } = renderActionRows([[approve, reject]]);
  assert.equal(dropped, 0);
  assert.deepEqual(rows[0]!.components.map((b) => b.custom_id), ['?approve:ap-7k2m', 'reject:ap-7k2m']);
});

test('a confirm button whose prompt id could not fit is dropped, never shown without its confirmation', () => {
  const long = { ...approve, value: 'v'.repeat(100 - 'approve:'.length - 1) }; // fits plain (99), not the prompt's `!:` form
  assert.ok(encodeCustomId(long.actionId, long.value));
  assert.equal(encodeAskFirstId(long.actionId, long.value), undefined);
  const { rows, dropped } = renderActionRows([[long]]);
  assert.equal(dropped, 1);
  assert.deepEqual(rows, []);
});

test('button ids round-trip: act, ask, confirmed (with and without the origin message), cancel', () => {
  assert.deepEqual(parseButtonId('approve:ap-1:x'), { kind: 'act', actionId: 'approve', value: 'ap-1:x' });
  assert.deepEqual(parseButtonId(encodeAskFirstId('approve', 'ap-1')!), { kind: 'ask', actionId: 'approve', value: 'ap-1' });
  assert.deepEqual(parseButtonId(encodeConfirmedId('approve', 'ap-1', '123456789012345678')), { kind: 'confirmed', actionId: 'approve', value: 'ap-1', originMessageId: '123456789012345678' });
  const tight = 'v'.repeat(100 - 'approve:'.length - 2);
  const id = encodeConfirmedId('approve', tight, '123456789012345678');
  assert.ok(id.length <= 100);
  assert.deepEqual(parseButtonId(id), { kind: 'confirmed', actionId: 'approve', value: tight });
  assert.deepEqual(parseButtonId(CANCEL_ID), { kind: 'cancel' });
  for (const marker of ['?', '!', '~']) assert.equal(encodeCustomId(`${marker}x`, 'v'), undefined, `an action id may not start with ${marker}`);
});

test('the prompt is ephemeral, names the button and the message, and offers Yes/Cancel', () => {
  const i = interactionSlice.parse({
    id: '1', application_id: '2', type: 3, token: 't', channel_id: '3',
    data: { custom_id: '?approve:ap-7k2m', component_type: 2 },
    message: {
      id: '444', channel_id: '3', embeds: [{ title: 'Approval ap-7k2m: upgrade eth 1.2 --env prod' }],
      components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Approve', custom_id: '?approve:ap-7k2m' }, { type: 2, style: 4, label: 'Reject', custom_id: 'reject:ap-7k2m' }] }],
    },
  });
  const prompt = confirmPrompt(i, 'approve', 'ap-7k2m');
  assert.equal(prompt.type, 4);
  assert.equal(prompt.data.flags, 64);
  assert.equal(prompt.data.content, '**Approve** — are you sure?\n> Approval ap-7k2m: upgrade eth 1.2 --env prod');
  assert.deepEqual(prompt.data.components[0]!.components.map((b) => [b.label, b.custom_id, b.style]), [
    ['Yes, Approve', '!444:approve:ap-7k2m', 1],
    ['Cancel', '~', 2],
  ]);
  assert.deepEqual(prompt.data.allowed_mentions, { parse: [] });
  const confirm = interactionSlice.parse({ id: '5', application_id: '2', type: 3, token: 't2', channel_id: '3', data: { custom_id: '!444:approve:ap-7k2m' }, message: { id: '9', channel_id: '3', components: prompt.data.components } });
  assert.deepEqual(confirmedUpdate(confirm).data, { content: '**Approve** — confirmed.', components: [], allowed_mentions: { parse: [] } });
  assert.equal(cancelledUpdate().type, 7);
});

test('a message payload the prompt cannot read is ignored, not refused', () => {
  const i = interactionSlice.safeParse({ id: '1', application_id: '2', type: 3, token: 't', channel_id: '3', data: { custom_id: '?approve:x' }, message: { id: '4', channel_id: '3', components: 'garbage', embeds: [{ title: 5 }] } });
  assert.ok(i.success);
  assert.equal(confirmPrompt(i.data, 'approve', 'x').data.content, '**approve** — are you sure?');
});

test('REST errors read as one line with a hint, and never show an interaction token', () => {
  const apiError = { name: 'DiscordAPIError[10008]', message: 'Unknown Message', code: 10008, status: 404, method: 'PATCH', url: 'https://discord.com/api/v10/channels/1/messages/2' };
  assert.equal(describeDiscordError(apiError), 'Discord PATCH /api/v10/channels/1/messages/2 failed: 10008 Unknown Message — the message was deleted; a new one will be posted next time');
  const webhook = { ...apiError, code: 10015, message: 'Unknown Webhook', url: 'https://discord.com/api/v10/webhooks/9/secret-token-abc/messages/2' };
  assert.doesNotMatch(describeDiscordError(webhook), /secret-token-abc/);
  assert.equal(maskRoute('/api/v10/interactions/5/tok-xyz/callback'), '/api/v10/interactions/5/***/callback');
  assert.match(describeDiscordError({ status: 401, method: 'GET', url: 'https://discord.com/api/v10/gateway/bot', code: 0, message: '401: Unauthorized' }), /HTTP 401 — check DISCORD_TOKEN/);
  const limited = new DiscordCallError({ name: 'RateLimitError', timeToReset: 30_000, retryAfter: 30_000, route: '/channels/:id/messages', method: 'post' });
  assert.equal(limited.retryAfterMs, 30_000);
  assert.equal(limited.code, 'unavailable');
  assert.match(limited.message, /rate-limited for 30s/);
  assert.equal(new DiscordCallError(apiError).retryAfterMs, undefined);
});
