/**
 * HTTP interactions mode: the stand-in plays Discord, signing each POST with an Ed25519 key generated
 * here; the adapter verifies, answers PING, defers commands and follows up through the webhook routes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { CommandEvent } from '../../src/chat/chat-event.ts';
import type { Dispatch } from '../../src/chat/dispatch.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { startDiscord, type DiscordAdapter } from '../../adapters/discord/discord.adapter.ts';
import { ed25519PublicKeyFromHex, verifyDiscordSignature } from '../../adapters/discord/discord-signature.ts';
import { autocompleteInteraction, chatInputInteraction, startDiscordStandIn, type DiscordStandIn } from '../stand-ins/discord.stand-in.ts';
import { makeDiscordSigner, postSignedInteraction } from '../helpers/discord-sign.ts';

const USER = { userId: '123456789012345678', roleIds: ['987654321098765432'] };

describe('Discord adapter, HTTP interactions mode', () => {
  const signer = makeDiscordSigner();
  const events: CommandEvent[] = [];
  const dispatch: Dispatch = async (event, respond) => {
    if (event.kind === 'command') events.push(event);
    await respond({ text: 'fleet ok', severity: 'ok', blocks: [{ type: 'header', text: 'Fleet ok' }] });
  };
  let si: DiscordStandIn;
  let discord: DiscordAdapter;
  let url: string;

  before(async () => {
    si = await startDiscordStandIn();
    discord = await startDiscord({
      token: si.token, applicationId: si.ids.applicationId, apiUrl: `${si.apiBase}/api`, mode: 'http', publicKey: signer.publicKeyHex, port: 0,
      dispatch, state: new MemoryStateStore(), logger: pino({ level: 'silent' }), autocomplete: async () => ['prod', 'staging'],
    });
    url = `http://127.0.0.1:${discord.port}/discord/interactions`;
  });
  after(async () => {
    await discord?.stop();
    await si?.stop();
  });

  test('registers /chainops globally when no guild is given, and opens no gateway', () => {
    assert.ok(si.calls.some((c) => c.method === 'PUT' && c.route === `/api/v10/applications/${si.ids.applicationId}/commands`));
    assert.ok(!si.calls.some((c) => c.route === '/api/v10/gateway/bot'));
  });

  test('a bad or missing signature gets 401', async () => {
    const ping = { id: '1', application_id: si.ids.applicationId, type: 1, token: 't', version: 1 };
    assert.equal((await postSignedInteraction(url, signer, ping, true)).status, 401);
    assert.equal((await fetch(url, { method: 'POST', body: JSON.stringify(ping), headers: { 'content-type': 'application/json' } })).status, 401);
    const other = makeDiscordSigner();
    assert.equal((await postSignedInteraction(url, other, ping)).status, 401, 'signed with another key');
    const body = JSON.stringify(ping);
    const stale = await fetch(url, { method: 'POST', body, headers: signer.headers(body, Math.floor(Date.now() / 1000) - 3600) });
    assert.equal(stale.status, 401, 'an old timestamp cannot be replayed');
  });

  test('PING gets PONG', async () => {
    const res = await postSignedInteraction(url, signer, { id: '1', application_id: si.ids.applicationId, type: 1, token: 't', version: 1 });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { type: 1 });
  });

  test('a signed command is deferred in the response, dispatched, and answered through the webhook', async () => {
    const i = chatInputInteraction(si.ids, 'status', [{ name: 'env', type: 3, value: 'prod' }], USER);
    const res = await si.deliverHttpInteraction(url, i, (body) => signer.headers(body));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { type: 5, data: {} });
    const edit = await si.waitForCall((c) => c.method === 'PATCH' && c.path === `/api/v10/webhooks/${si.ids.applicationId}/${i.token}/messages/%40original`);
    assert.equal(edit.body.embeds[0].title, 'Fleet ok');
    assert.equal(edit.auth, undefined);
    const ev = events.find((e) => e.deliveryId === i.id)!;
    assert.equal(ev.text, '/chainops status --env prod');
    assert.deepEqual(ev.actor.roleIds, USER.roleIds);
    const again = await si.deliverHttpInteraction(url, i, (body) => signer.headers(body));
    assert.equal(again.status, 409, 'a replayed interaction is not dispatched twice');
    assert.equal(events.filter((e) => e.deliveryId === i.id).length, 1);
  });

  test('autocomplete is answered in the response', async () => {
    const i = autocompleteInteraction(si.ids, 'status', [{ name: 'env', type: 3, value: 'pr', focused: true }], USER);
    const res = await si.deliverHttpInteraction(url, i, (body) => signer.headers(body));
    assert.deepEqual(res.body, { type: 8, data: { choices: [{ name: 'prod', value: 'prod' }] } });
  });

  test('signature check alone: good, tampered body, wrong key format', () => {
    const key = ed25519PublicKeyFromHex(signer.publicKeyHex);
    const body = '{"type":1}';
    const h = signer.headers(body);
    assert.equal(verifyDiscordSignature(key, h['x-signature-ed25519'], h['x-signature-timestamp'], Buffer.from(body)), true);
    assert.equal(verifyDiscordSignature(key, h['x-signature-ed25519'], h['x-signature-timestamp'], Buffer.from('{"type":2}')), false);
    assert.throws(() => ed25519PublicKeyFromHex('zz'), /64 hex/);
  });
});
