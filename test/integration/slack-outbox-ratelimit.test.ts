/**
 * A long Slack rate limit on one channel, end to end through the real Redis outbox: the rate-limited
 * posts are parked in Redis (not slept on in process), go out in order once Slack allows, and every
 * other channel's posts go out at once. Real redis-server, real Slack WebClient, the Web API stand-in.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { webApi } from '@slack/bolt';
import { Redis } from 'ioredis';
import pino from 'pino';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { OutboxDelay, retryAfterMsOf } from '../../adapters/outbox/outbox-delay.ts';
import { RedisOutbox, outboxStreamKey, startOutboxConsumer } from '../../adapters/outbox/redis.outbox.ts';
import { SlackChatPort } from '../../adapters/slack/slack-chat.port.ts';
import type { Message } from '../../src/chat/message.ts';
import { deliverOutboxItem } from '../../src/pipeline/outbox-delivery.ts';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';

const TOKEN = 'xoxb-outbox-test-token';
const note = (text: string): Message => ({ text, blocks: [{ type: 'text', text }] });
const conv = (channelId: string) => ({ platform: 'slack' as const, channelId });

describe('Slack rate limits through the Redis outbox', () => {
  let redis: RedisServerHandle;
  let slack: SlackStandIn;
  let producer: Redis;
  /** The consumer's XREADGROUP connection: the caller owns it (the runtime does in the bot). */
  let blocking: Redis | undefined;
  let consumer: { stop(): Promise<void> } | undefined;
  const logs: string[] = [];
  const prefix = `t-outbox-${randomBytes(3).toString('hex')}`;

  before(async () => {
    [redis, slack] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: TOKEN })]);
    producer = new Redis(redis.url);
    const logger = pino({ level: 'debug' }, new Writable({ write(c, _e, done) { logs.push(String(c)); done(); } }));
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    // A 1 s in-process wait at most, so the 3 s Retry-After below must go through the outbox.
    const chat = new SlackChatPort({ client, logger, maxRetryAfterSec: 1 });
    const state = new MemoryStateStore();
    blocking = new Redis(redis.url, { maxRetriesPerRequest: null });
    consumer = startOutboxConsumer({
      redis: blocking,
      prefix, platforms: ['slack'], consumer: 'test', logger,
      deliver: (item) => deliverOutboxItem(item, () => chat, state),
    });
  });
  after(async () => {
    await consumer?.stop().catch(() => undefined);
    producer?.disconnect();
    blocking?.disconnect();
    await slack?.stop().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
  });

  it('parks the limited channel\'s posts in Redis, keeps their order, and lets other channels through at once', async () => {
    const outbox = new RedisOutbox(producer, prefix);
    slack.failNext('chat.postMessage', 429, 1, { retryAfterSec: 3, match: (a) => a.channel === 'C0SLOW' });
    const t0 = Date.now();
    for (const n of [1, 2, 3]) await outbox.publish({ op: 'upsert', key: `slow-${n}`, conversation: conv('C0SLOW'), message: note(`slow ${n}`) });
    await slack.waitForCall('chat.postMessage', (c) => c.status === 429);
    for (const n of [1, 2]) await outbox.publish({ op: 'upsert', key: `fast-${n}`, conversation: conv('C0FAST'), message: note(`fast ${n}`) });

    const posted = (channel: string) => slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel && c.status === 200);
    await waitFor(async () => posted('C0FAST').length === 2, { what: 'the other channel\'s posts', timeoutMs: 2_000, intervalMs: 10 });
    const fastMs = Date.now() - t0;
    assert.ok(fastMs < 2_000, `the other channel waited ${fastMs} ms`);
    assert.equal(posted('C0SLOW').length, 0, 'nothing went to the limited channel yet');
    const delay = new OutboxDelay(producer, `${outbox.streamKey('slack')}:delayed`, outbox.streamKey('slack'), 1_000);
    await waitFor(async () => (await delay.count()) === 3, { what: 'all three slow posts parked in Redis', timeoutMs: 3_000, intervalMs: 10 });

    // A post for the limited channel that arrives meanwhile waits behind the parked ones.
    await outbox.publish({ op: 'upsert', key: 'slow-4', conversation: conv('C0SLOW'), message: note('slow 4') });
    await waitFor(async () => posted('C0SLOW').length === 4, { what: 'the slow posts after Retry-After', timeoutMs: 8_000, intervalMs: 20 });
    const slowMs = Date.now() - t0;
    assert.ok(slowMs >= 3_000, `sent after ${slowMs} ms, before Retry-After`);
    assert.deepEqual(posted('C0SLOW').map((c) => c.args.text), ['slow 1', 'slow 2', 'slow 3', 'slow 4'], 'order kept');
    assert.equal(slack.callsOf('chat.postMessage').filter((c) => c.status === 429).length, 1, 'the held channel was not hit again while on hold');
    assert.equal(await delay.count(), 0);
    const pending = (await producer.xpending(outboxStreamKey(prefix, 'slack'), 'bots')) as [number, ...unknown[]];
    assert.equal(pending[0], 0, 'every item acknowledged');
    assert.ok(logs.some((l) => l.includes('outbox item for slack:C0SLOW rate-limited; it goes out again in 3s, other channels go on')));
  });

  it('retryAfterMsOf reads the hint from an error or its cause chain only', () => {
    assert.equal(retryAfterMsOf(Object.assign(new Error('x'), { retryAfterMs: 1500 })), 1500);
    assert.equal(retryAfterMsOf(new Error('outer', { cause: Object.assign(new Error('inner'), { retryAfterMs: 20 }) })), 20);
    assert.equal(retryAfterMsOf(new Error('plain')), undefined);
    assert.equal(retryAfterMsOf(Object.assign(new Error('bad'), { retryAfterMs: Number.NaN })), undefined);
    assert.equal(retryAfterMsOf(undefined), undefined);
  });
});
