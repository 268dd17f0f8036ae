import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ActionEvent, ChatEvent, CommandEvent } from '../../src/chat/chat-event.ts';
import { APP_TOKEN, startSlackHarness, type SlackHarness } from '../stand-ins/slack-harness.ts';
import { appHomeOpened, appMention, blockActions, eventEnvelope, slashCommandFields } from '../stand-ins/slack-payloads.ts';

async function eventually<T>(get: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Slack adapter in Socket Mode (real Bolt socket client, stand-in WebSocket)', () => {
  let h: SlackHarness;
  before(async () => {
    h = await startSlackHarness({
      socketMode: true,
      onEvent: async (event, respond) => {
        const text = event.kind === 'command' ? event.text : `clicked ${event.actionId}`;
        if (text.includes('slow')) await new Promise((r) => setTimeout(r, 2_000));
        await respond({ text: `ok: ${text}`, blocks: [{ type: 'text', text: `ok: ${text}` }] });
      },
    });
    await h.standIn.socket.waitForConnection();
  });
  after(async () => h.stop());
  const find = (pred: (e: ChatEvent) => boolean) => h.dispatched.filter((d) => pred(d.event)).map((d) => d.event);

  it('opens the connection with the app token from the configured API URL', () => {
    const open = h.standIn.callsOf('apps.connections.open');
    assert.equal(open.length, 1);
    assert.equal(open[0]!.token, APP_TOKEN);
    assert.equal(h.standIn.socket.connections, 1);
  });

  it('acks a slash command envelope at once and dispatches it once', async () => {
    const fields = slashCommandFields({ text: 'slow status', responseUrl: h.standIn.responseUrl('sock') });
    const t0 = Date.now();
    const ack = await h.standIn.socket.sendEnvelope('slash_commands', fields);
    assert.ok(Date.now() - t0 < 1_000, 'acked before the 2-second core work');
    assert.ok(ack.envelope_id);
    const event = (await eventually(() => find((e) => e.kind === 'command' && e.text === 'slow status')[0])) as CommandEvent;
    assert.equal(event.actor.id, 'T0STANDIN/U0ALICE');
    assert.equal(event.deliveryId, `slack:cmd:${fields.trigger_id}`);
    const post = await h.standIn.waitForCall('chat.postMessage', (c) => c.args.text === 'ok: slow status', 5_000);
    assert.equal(post.args.channel, 'C0OPS');
  });

  it('dispatches a retried events_api envelope once', async () => {
    const env = eventEnvelope(appMention({ text: '<@U0CHAINOPS> alerts', threadTs: '1700000000.000009' }), { eventId: 'Ev0SOCKRT1' });
    await h.standIn.socket.sendEnvelope('events_api', env);
    await h.standIn.socket.sendEnvelope('events_api', env, { retryAttempt: 1, retryReason: 'timeout' });
    await eventually(() => find((e) => e.deliveryId === 'slack:evt:Ev0SOCKRT1')[0]);
    await new Promise((r) => setTimeout(r, 150)); // room for a wrong second dispatch to show up
    const events = find((e) => e.deliveryId === 'slack:evt:Ev0SOCKRT1') as CommandEvent[];
    assert.equal(events.length, 1);
    assert.equal(events[0]!.text, 'alerts');
    assert.equal(events[0]!.conversation.threadId, '1700000000.000009');
  });

  it('turns an interactive envelope (button click) into an ActionEvent', async () => {
    const ack = await h.standIn.socket.sendEnvelope('interactive', blockActions({ actionId: 'ack_alert', value: 'alt-9x8y7z6w', messageTs: '1700000100.000100' }));
    assert.ok(ack.envelope_id);
    const event = (await eventually(() => find((e) => e.kind === 'action' && e.actionId === 'ack_alert')[0])) as ActionEvent;
    assert.equal(event.value, 'alt-9x8y7z6w');
    assert.deepEqual(event.message, { platform: 'slack', channelId: 'C0OPS', messageId: '1700000100.000100' });
  });

  it('publishes App Home on app_home_opened', async () => {
    await h.standIn.socket.sendEnvelope('events_api', eventEnvelope(appHomeOpened('U0ERIN')));
    const call = await h.standIn.waitForCall('views.publish', (c) => c.args.user_id === 'U0ERIN');
    assert.equal(call.args.view.type, 'home');
    assert.equal(call.response.ok, true);
  });
});
