import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSlack } from '../../adapters/slack/slack.adapter.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { ChainopsError } from '../../src/errors.ts';
import type { ActionEvent, ChatEvent, CommandEvent } from '../../src/chat/chat-event.ts';
import { formBody, interactiveBody, postSigned, slackSignature } from '../helpers/slack-sign.ts';
import { startSlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { BOT_TOKEN, SIGNING_SECRET, startSlackHarness, type SlackHarness } from '../stand-ins/slack-harness.ts';
import { appHomeOpened, appMention, blockActions, eventEnvelope, slashCommandFields, upgradeSubmission } from '../stand-ins/slack-payloads.ts';
import pino from 'pino';

/** Poll until `get` returns something (no fixed sleeps when waiting FOR something). */
async function eventually<T>(get: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Let anything that would wrongly happen after a refusal have its chance to show up. */
const settle = () => new Promise((r) => setTimeout(r, 150));

describe('Slack adapter over HTTP (real Bolt, stand-in Web API)', () => {
  let h: SlackHarness;
  /** The in-test core: answers `status` in channel, `help` ephemerally, and is slow for `slow`. */
  before(async () => {
    h = await startSlackHarness({
      onEvent: async (event, respond) => {
        const text = event.kind === 'command' ? event.text : `clicked ${event.actionId}`;
        if (text.includes('slow')) await new Promise((r) => setTimeout(r, 2_000));
        await respond({ text: `ok: ${text}`, blocks: [{ type: 'text', text: `ok: ${text}` }], ephemeral: text.startsWith('help') });
      },
      homeView: async () => ({ text: 'Fleet', blocks: [{ type: 'header', text: 'Fleet overview' }, { type: 'table', columns: ['group', 'health'], rows: [['geth-mainnet', 'healthy']] }] }),
      extraRoutes: [{ path: '/healthz', method: 'GET', handler: (_req, res) => void res.writeHead(200).end('ok') }],
    });
  });
  after(async () => h.stop());
  const countFor = (pred: (e: ChatEvent) => boolean) => h.dispatched.filter((d) => pred(d.event)).length;

  it('acks a signed slash command at once, then dispatches exactly one CommandEvent', async () => {
    const fields = slashCommandFields({ text: 'slow status --env prod', user: 'U0ALICE', responseUrl: h.standIn.responseUrl('slow') });
    const t0 = Date.now();
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, formBody(fields));
    const elapsed = Date.now() - t0;
    assert.equal(res.status, 200);
    assert.ok(elapsed < 1_000, `ack took ${elapsed}ms although the core needs 2s: ack must come before the work`);
    const event = (await eventually(() => h.dispatched.find((d) => d.event.kind === 'command' && d.event.text.includes('slow'))?.event)) as CommandEvent;
    assert.deepEqual(event, {
      kind: 'command',
      actor: { platform: 'slack', id: 'T0STANDIN/U0ALICE', roleIds: [] },
      conversation: { platform: 'slack', channelId: 'C0OPS' },
      text: 'slow status --env prod',
      deliveryId: `slack:cmd:${fields.trigger_id}`,
    });
    const post = await h.standIn.waitForCall('chat.postMessage', (c) => c.args.text === 'ok: slow status --env prod', 5_000);
    assert.equal(post.args.channel, 'C0OPS');
    assert.equal(post.token, BOT_TOKEN);
    assert.equal(post.contentType, 'application/x-www-form-urlencoded');
    assert.equal(post.args.blocks[0].text.text, 'ok: slow status --env prod');
  });

  it('answers ephemeral messages through response_url, to the asker only', async () => {
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, formBody(slashCommandFields({ text: 'help', responseUrl: h.standIn.responseUrl('help-1') })));
    assert.equal(res.status, 200);
    const call = await h.standIn.waitForCall('response_url', (c) => c.args.id === 'help-1');
    assert.equal(call.args.response_type, 'ephemeral');
    assert.equal(call.args.replace_original, false);
    assert.equal(call.token, undefined, 'response_url carries no token');
    assert.equal(call.args.text, 'ok: help');
  });

  it('refuses forged, stale, future-dated and replayed requests with 401 and dispatches nothing', async () => {
    const before = h.dispatched.length;
    const body = formBody(slashCommandFields({ text: 'status forged' }));
    const forged = await postSigned(h.eventsUrl, SIGNING_SECRET, body, { signature: slackSignature('not-the-secret', body, Math.floor(Date.now() / 1000)) });
    assert.equal(forged.status, 401);
    const tampered = await postSigned(h.eventsUrl, SIGNING_SECRET, body, { signature: 'v0=' + '0'.repeat(64) });
    assert.equal(tampered.status, 401);
    const stale = await postSigned(h.eventsUrl, SIGNING_SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(stale.status, 401);
    const future = await postSigned(h.eventsUrl, SIGNING_SECRET, body, { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 });
    assert.equal(future.status, 401);
    const unsigned = await fetch(h.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(unsigned.status, 401);

    const replayBody = formBody(slashCommandFields({ text: 'status replayed' }));
    const ts = Math.floor(Date.now() / 1000);
    const first = await postSigned(h.eventsUrl, SIGNING_SECRET, replayBody, { timestamp: ts });
    assert.equal(first.status, 200);
    const replay = await postSigned(h.eventsUrl, SIGNING_SECRET, replayBody, { timestamp: ts });
    assert.equal(replay.status, 401, 'the same signed request twice is a replay');
    await eventually(() => countFor((e) => e.kind === 'command' && e.text === 'status replayed') || undefined);
    await settle();
    assert.equal(h.dispatched.length, before + 1, 'only the genuine first request was dispatched');
  });

  it('dispatches a retried delivery (X-Slack-Retry-Num) only once', async () => {
    const fields = slashCommandFields({ text: 'status retried' });
    const body = formBody(fields);
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, body)).status, 200);
    // Slack re-sends with a fresh timestamp and signature plus the retry headers.
    const retry = await postSigned(h.eventsUrl, SIGNING_SECRET, body, {
      timestamp: Math.floor(Date.now() / 1000) + 1,
      headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' },
    });
    assert.equal(retry.status, 200);

    const mention = JSON.stringify(eventEnvelope(appMention({ text: '<@U0CHAINOPS> status', ts: '1700000001.000100' }), { eventId: 'Ev0RETRY01' }));
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, mention)).status, 200);
    const mentionRetry = await postSigned(h.eventsUrl, SIGNING_SECRET, mention, { timestamp: Math.floor(Date.now() / 1000) + 2, headers: { 'X-Slack-Retry-Num': '2' } });
    assert.equal(mentionRetry.status, 200);
    await eventually(() => countFor((e) => e.deliveryId === 'slack:evt:Ev0RETRY01') || undefined);
    await settle();
    assert.equal(countFor((e) => e.kind === 'command' && e.text === 'status retried'), 1);
    assert.equal(countFor((e) => e.deliveryId === 'slack:evt:Ev0RETRY01'), 1);
  });

  it('a replayed click or command with a forged X-Slack-Retry-Num is refused (only the Events API retries)', async () => {
    const click = interactiveBody(blockActions({ actionId: 'reject', value: 'ap-replay2', user: 'U0BOB', messageTs: '1700000000.000300' }));
    const ts = Math.floor(Date.now() / 1000);
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, click, { timestamp: ts })).status, 200);
    const retryHeaders = { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' };
    // The header is not covered by the signature; on a form body (command, click) it proves nothing.
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, click, { timestamp: ts, headers: retryHeaders })).status, 401);
    const cmd = formBody(slashCommandFields({ text: 'status replay-retry' }));
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, cmd, { timestamp: ts })).status, 200);
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, cmd, { timestamp: ts, headers: retryHeaders })).status, 401);
    // An Events API delivery with the same signature and the retry header is admitted, then de-duplicated by event_id.
    const mention = JSON.stringify(eventEnvelope(appMention({ text: '<@U0CHAINOPS> status', ts: '1700000001.000300' }), { eventId: 'Ev0RETRY02' }));
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, mention, { timestamp: ts })).status, 200);
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, mention, { timestamp: ts, headers: retryHeaders })).status, 200);
    await eventually(() => countFor((e) => e.deliveryId === 'slack:evt:Ev0RETRY02') || undefined);
    await settle();
    assert.equal(countFor((e) => e.kind === 'action' && e.value === 'ap-replay2'), 1);
    assert.equal(countFor((e) => e.kind === 'command' && e.text === 'status replay-retry'), 1);
    assert.equal(countFor((e) => e.deliveryId === 'slack:evt:Ev0RETRY02'), 1);
  });

  it('turns a mention inside a thread into a command in that thread and answers there', async () => {
    const env = eventEnvelope(appMention({ text: 'hey <@U0CHAINOPS>   nodes geth', user: 'U0CAROL', ts: '1700000002.000200', threadTs: '1700000000.000001' }), { eventId: 'Ev0THREAD1' });
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, JSON.stringify(env))).status, 200);
    const post = await h.standIn.waitForCall('chat.postMessage', (c) => c.args.text === 'ok: nodes geth');
    const event = h.dispatched.find((d) => d.event.deliveryId === 'slack:evt:Ev0THREAD1')!.event as CommandEvent;
    assert.deepEqual(event.conversation, { platform: 'slack', channelId: 'C0OPS', threadId: '1700000000.000001' });
    assert.equal(event.actor.id, 'T0STANDIN/U0CAROL');
    assert.equal(post.args.thread_ts, '1700000000.000001');

    const help = eventEnvelope(appMention({ text: '<@U0CHAINOPS> help', user: 'U0CAROL', threadTs: '1700000000.000001' }), { eventId: 'Ev0THREAD2' });
    await postSigned(h.eventsUrl, SIGNING_SECRET, JSON.stringify(help));
    const eph = await h.standIn.waitForCall('chat.postEphemeral', (c) => c.args.text === 'ok: help');
    assert.equal(eph.args.user, 'U0CAROL');
    assert.equal(eph.args.thread_ts, '1700000000.000001');
  });

  it('turns a button click into an ActionEvent with the message ref, once for a double click', async () => {
    const ref = await h.slack.chat.post({ platform: 'slack', channelId: 'C0OPS' }, { text: 'Approve?', blocks: [{ type: 'actions', buttons: [{ actionId: 'approve', label: 'Approve', value: 'apr-7f3k2d', style: 'primary' }] }] });
    const click = interactiveBody(blockActions({ actionId: 'approve', value: 'apr-7f3k2d', user: 'U0BOB', messageTs: ref.messageId, responseUrl: h.standIn.responseUrl('click') }));
    const [a, b] = await Promise.all([postSigned(h.eventsUrl, SIGNING_SECRET, click), postSigned(h.eventsUrl, SIGNING_SECRET, click, { timestamp: Math.floor(Date.now() / 1000) + 1 })]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    await eventually(() => countFor((e) => e.kind === 'action' && e.value === 'apr-7f3k2d') || undefined);
    await settle();
    const clicks = h.dispatched.filter((d) => d.event.kind === 'action' && d.event.value === 'apr-7f3k2d');
    assert.equal(clicks.length, 1, 'a double click dispatches once');
    const event = clicks[0]!.event as ActionEvent;
    assert.equal(event.actionId, 'approve');
    assert.equal(event.actor.id, 'T0STANDIN/U0BOB');
    assert.deepEqual(event.message, { platform: 'slack', channelId: 'C0OPS', messageId: ref.messageId });
    assert.deepEqual(event.conversation, { platform: 'slack', channelId: 'C0OPS', threadId: ref.messageId });
    const answer = await h.standIn.waitForCall('chat.postMessage', (c) => c.args.text === 'ok: clicked approve');
    assert.equal(answer.args.thread_ts, ref.messageId, 'the answer to a click goes in the clicked message\'s thread');
  });

  it('opens the upgrade modal for a bare `/chainops upgrade`, and its submit becomes a command', async () => {
    const fields = slashCommandFields({ text: 'upgrade', channel: 'C0DEPLOY' });
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, formBody(fields))).status, 200);
    const open = await h.standIn.waitForCall('views.open', (c) => c.args.trigger_id === fields.trigger_id);
    assert.equal(open.args.view.callback_id, 'chainops_upgrade');
    assert.deepEqual(open.args.view.blocks.map((b: { block_id: string }) => b.block_id), ['target', 'version', 'env']);

    const bad = await postSigned(h.eventsUrl, SIGNING_SECRET, interactiveBody(upgradeSubmission({ target: 'Geth Main', version: 'latest', env: 'prod', channel: 'C0DEPLOY' })));
    assert.equal(bad.status, 200);
    const errors = (await bad.json()) as { response_action: string; errors: Record<string, string> };
    assert.equal(errors.response_action, 'errors');
    assert.deepEqual(Object.keys(errors.errors).sort(), ['target', 'version']);

    const ok = await postSigned(h.eventsUrl, SIGNING_SECRET, interactiveBody(upgradeSubmission({ target: 'geth-mainnet', version: '1.14.3', env: 'prod', channel: 'C0DEPLOY', viewId: 'V0MODAL1' })));
    assert.equal(ok.status, 200);
    const event = (await eventually(() => h.dispatched.find((d) => d.event.deliveryId === 'slack:view:V0MODAL1')?.event)) as CommandEvent;
    assert.equal(event.text, 'upgrade geth-mainnet 1.14.3 --env prod');
    assert.deepEqual(event.conversation, { platform: 'slack', channelId: 'C0DEPLOY' });
  });

  it('publishes the App Home view on app_home_opened', async () => {
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, JSON.stringify(eventEnvelope(appHomeOpened('U0DAVE'))));
    assert.equal(res.status, 200);
    const call = await h.standIn.waitForCall('views.publish', (c) => c.args.user_id === 'U0DAVE');
    assert.equal(call.response.ok, true);
    assert.equal(call.args.view.type, 'home');
    assert.equal(call.args.view.blocks[0].text.text, 'Fleet overview');
    assert.match(call.args.view.blocks[1].text.text, /geth-mainnet\s+healthy/);
  });

  it('answers in the channel through response_url when the bot is not a member', async () => {
    h.standIn.failNext('chat.postMessage', 'not_in_channel', 1, { match: (a) => a.channel === 'C0NOTJOINED' });
    const fields = slashCommandFields({ text: 'status elsewhere', channel: 'C0NOTJOINED', responseUrl: h.standIn.responseUrl('fallback') });
    assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, formBody(fields))).status, 200);
    const call = await h.standIn.waitForCall('response_url', (c) => c.args.id === 'fallback');
    assert.equal(call.args.response_type, 'in_channel');
    assert.equal(call.args.text, 'ok: status elsewhere');
    assert.ok(h.logs.some((l) => l.includes('not_in_channel — invite the bot')));
  });

  it("answers Slack's url_verification challenge (signed) and refuses it unsigned", async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'c-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, body);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { challenge: 'c-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    const unsigned = await fetch(h.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(unsigned.status, 401);
  });

  it('serves the extra routes on the same port and 404s the rest', async () => {
    assert.equal((await fetch(`${h.slack.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${h.slack.url}/nope`)).status, 404);
  });

  it('never logs the bot token or the signing secret', () => {
    const all = h.logs.join('\n');
    assert.ok(all.length > 0);
    assert.ok(!all.includes(BOT_TOKEN));
    assert.ok(!all.includes(SIGNING_SECRET));
  });
});

describe('Slack adapter start-up', () => {
  it('fails with config_invalid when Slack refuses the bot token', async () => {
    const standIn = await startSlackStandIn({ botToken: 'xoxb-the-right-one' });
    try {
      await assert.rejects(
        startSlack({ botToken: 'xoxb-wrong', signingSecret: 's', apiUrl: standIn.url, port: 0, dispatch: async () => {}, state: new MemoryStateStore(), logger: pino({ level: 'silent' }), retries: 0 }),
        (err: unknown) => err instanceof ChainopsError && err.code === 'config_invalid' && /invalid_auth/.test(err.message) && !err.message.includes('xoxb-wrong'),
      );
    } finally {
      await standIn.stop();
    }
  });
});
