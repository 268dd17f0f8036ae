import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChainopsError } from '../../src/errors.ts';
import { SlackRateLimitedError } from '../../adapters/slack/slack-api-errors.ts';
import type { Message } from '../../src/chat/message.ts';
import { BOT_TOKEN, startSlackHarness, type SlackHarness } from '../stand-ins/slack-harness.ts';

const note = (text: string, extra: Partial<Message> = {}): Message => ({ text, blocks: [{ type: 'text', text }], ...extra });

describe('Slack ChatPort over the Web API (stand-in)', () => {
  let h: SlackHarness;
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    h = await startSlackHarness();
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await h.stop();
  });

  it('posts with chat.postMessage, form-encoded, Bearer token, blocks as a JSON string', async () => {
    const ref = await h.slack.chat.post({ platform: 'slack', channelId: 'C0JOBS' }, {
      text: 'Job job-4f2a9c running',
      severity: 'info',
      blocks: [{ type: 'header', text: 'Upgrade geth-mainnet' }, { type: 'fields', fields: [{ label: 'Env', value: 'prod' }] }],
    });
    assert.equal(ref.platform, 'slack');
    assert.equal(ref.channelId, 'C0JOBS');
    assert.match(ref.messageId, /^\d+\.\d{6}$/);
    assert.equal(ref.threadId, undefined);
    const call = h.standIn.callsOf('chat.postMessage').find((c) => c.response.ts === ref.messageId)!;
    assert.equal(call.contentType, 'application/x-www-form-urlencoded');
    assert.equal(call.token, BOT_TOKEN);
    assert.equal(call.args.text, ':large_blue_circle: Job job-4f2a9c running');
    assert.equal(call.args.blocks[0].type, 'header');
    assert.equal(call.args.blocks[0].text.text, ':large_blue_circle: Upgrade geth-mainnet');
    assert.equal(call.args.thread_ts, undefined);
  });

  it('edits in place with chat.update and replies in the thread of the root message', async () => {
    const root = await h.slack.chat.post({ platform: 'slack', channelId: 'C0JOBS' }, note('rollout r-1: wave 1 of 3'));
    await h.slack.chat.update(root, note('rollout r-1: wave 2 of 3'));
    const stored = h.standIn.messages.find((m) => m.ts === root.messageId)!;
    assert.equal(stored.text, 'rollout r-1: wave 2 of 3');
    assert.equal(stored.edits.length, 1);
    const update = h.standIn.callsOf('chat.update').at(-1)!;
    assert.equal(update.args.ts, root.messageId);
    assert.equal(update.args.channel, 'C0JOBS');

    const reply = await h.slack.chat.replyInThread(root, note('node geth-1 upgraded'));
    assert.equal(reply.threadId, root.messageId);
    const again = await h.slack.chat.replyInThread(reply, note('node geth-2 upgraded'));
    assert.equal(again.threadId, root.messageId, 'a reply to a reply stays in the root thread');
    const posts = h.standIn.callsOf('chat.postMessage').slice(-2);
    assert.deepEqual(posts.map((c) => c.args.thread_ts), [root.messageId, root.messageId]);

    const inThread = await h.slack.chat.post({ platform: 'slack', channelId: 'C0JOBS', threadId: root.messageId }, note('details'));
    assert.equal(inThread.threadId, root.messageId);
  });

  it('waits out a 429 on one channel without delaying another channel', async () => {
    h.standIn.failNext('chat.postMessage', 429, 1, { retryAfterSec: 2, match: (a) => a.channel === 'C0SLOW' });
    const t0 = Date.now();
    const slow = h.slack.chat.post({ platform: 'slack', channelId: 'C0SLOW' }, note('first on slow'));
    const slowNext = h.slack.chat.post({ platform: 'slack', channelId: 'C0SLOW' }, note('second on slow'));
    // Let the first call reach the stand-in and get its 429 before the other channel posts.
    await h.standIn.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0SLOW' && c.status === 429);
    const fast = await h.slack.chat.post({ platform: 'slack', channelId: 'C0FAST' }, note('on fast'));
    const fastMs = Date.now() - t0;
    assert.ok(fastMs < 1_000, `the other channel waited ${fastMs}ms`);
    assert.equal(fast.channelId, 'C0FAST');

    const [a, b] = await Promise.all([slow, slowNext]);
    const slowMs = Date.now() - t0;
    assert.ok(slowMs >= 2_000, `the rate-limited channel only waited ${slowMs}ms`);
    const okPosts = h.standIn.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0SLOW' && c.status === 200);
    assert.deepEqual(okPosts.map((c) => c.args.text), ['first on slow', 'second on slow'], 'order within a channel is kept');
    assert.ok(Number(a.messageId) < Number(b.messageId));
    assert.ok(h.logs.some((l) => l.includes('Slack rate-limited chat.postMessage in C0SLOW')));
  });

  it('a Retry-After longer than the short in-process wait fails fast with retryAfterMs and holds only that channel', async () => {
    h.standIn.failNext('chat.postMessage', 429, 1, { retryAfterSec: 30, match: (a) => a.channel === 'C0HOLD' });
    const t0 = Date.now();
    const first = await h.slack.chat.post({ platform: 'slack', channelId: 'C0HOLD' }, note('first')).then(() => undefined, (e: unknown) => e);
    assert.ok(first instanceof SlackRateLimitedError, String(first));
    assert.equal(first.code, 'unavailable');
    assert.ok(first.retryAfterMs > 29_000 && first.retryAfterMs <= 30_000, `retryAfterMs ${first.retryAfterMs}`);
    assert.ok(Date.now() - t0 < 1_000, 'no 30 s sleep in process');
    // While the hold lasts, calls to that channel fail at once without bothering Slack again.
    const callsBefore = h.standIn.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0HOLD').length;
    await assert.rejects(h.slack.chat.update({ platform: 'slack', channelId: 'C0HOLD', messageId: '1.000001' }, note('edit')), (e: unknown) => e instanceof SlackRateLimitedError && e.retryAfterMs > 28_000);
    await assert.rejects(h.slack.chat.post({ platform: 'slack', channelId: 'C0HOLD' }, note('second')), SlackRateLimitedError);
    assert.equal(h.standIn.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0HOLD').length, callsBefore);
    assert.equal(h.standIn.callsOf('chat.update').filter((c) => c.args.channel === 'C0HOLD').length, 0);
    // Other channels are not held.
    assert.equal((await h.slack.chat.post({ platform: 'slack', channelId: 'C0OTHER' }, note('elsewhere'))).channelId, 'C0OTHER');
    assert.ok(h.logs.some((l) => l.includes('Slack rate-limited chat.postMessage in C0HOLD for 30s') && l.includes('the outbox sends it again later')));
  });

  it('turns ok:false into a clear ChainopsError and a log line, never a crash', async () => {
    h.standIn.failNext('chat.postMessage', 'not_in_channel', 1);
    await assert.rejects(
      h.slack.chat.post({ platform: 'slack', channelId: 'C0PRIVATE' }, note('hello')),
      (err: unknown) => err instanceof ChainopsError && err.code === 'unavailable' && /chat\.postMessage failed: not_in_channel — invite the bot/.test(err.message),
    );
    await assert.rejects(
      h.slack.chat.update({ platform: 'slack', channelId: 'C0JOBS', messageId: '1.000000' }, note('gone')),
      (err: unknown) => err instanceof ChainopsError && /message_not_found/.test(err.message),
    );
    assert.ok(h.logs.some((l) => l.includes('"slackError":"not_in_channel"')));
    // The channel's queue is not poisoned by the failure.
    const ok = await h.slack.chat.post({ platform: 'slack', channelId: 'C0PRIVATE' }, note('after'));
    assert.equal(ok.channelId, 'C0PRIVATE');
    assert.deepEqual(unhandled, []);
  });

  it('sends only blocks Slack accepts, even for huge output', async () => {
    const log = Array.from({ length: 5_000 }, (_, i) => `ansible: TASK ${i} ok`).join('\n');
    const ref = await h.slack.chat.post({ platform: 'slack', channelId: 'C0JOBS' }, {
      text: 'provision output',
      blocks: [{ type: 'header', text: 'Provision' }, ...Array.from({ length: 70 }, () => ({ type: 'code' as const, text: log }))],
    });
    const call = h.standIn.callsOf('chat.postMessage').find((c) => c.response.ts === ref.messageId)!;
    assert.equal(call.response.ok, true, JSON.stringify(call.response));
    assert.ok(call.args.blocks.length <= 50);
  });
});
