// The outbox stream (and with it the consumer group) vanishes under a running consumer — a failover
// to a replica that never got it, a restart without AOF, a manual DEL: reads answer NOGROUP. The
// consumer creates the group again and later updates still reach chat.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisOutbox, startOutboxConsumer } from '../../adapters/outbox/redis.outbox.ts';
import type { OutboxItem } from '../../src/ports/outbox.port.ts';

let server: RedisServerHandle;
let producer: Redis;
let blocking: Redis;
before(async () => {
  server = await startRedisServer({ appendonly: false });
  producer = new Redis(server.url);
  blocking = new Redis(server.url, { maxRetriesPerRequest: null });
});
after(async () => {
  producer?.disconnect();
  blocking?.disconnect();
  await server?.stop();
});

const item = (key: string): OutboxItem => ({
  op: 'upsert', key, conversation: { platform: 'console', channelId: 'ops' },
  message: { text: key, blocks: [{ type: 'text', text: key }] },
});

test('outbox stream deleted under a running consumer: the group is created again and later updates arrive', async () => {
  const prefix = `nogroup-${randomUUID().slice(0, 8)}`;
  const delivered: string[] = [];
  const warnings: string[] = [];
  const logger = { info() {}, debug() {}, error() {}, warn: (_o: object, msg?: string) => void warnings.push(String(msg)) };
  const consumer = startOutboxConsumer({ redis: blocking, prefix, platforms: ['console'], consumer: 'c1', logger, deliver: async (i) => void delivered.push(i.key) });
  const outbox = new RedisOutbox(producer, prefix);
  try {
    await outbox.publish(item('before'));
    await waitFor(async () => delivered.includes('before'), { what: 'the first update', timeoutMs: 10_000 });

    assert.equal(await producer.del(outbox.streamKey('console')), 1, 'the stream existed and is gone');
    for (const k of ['after-1', 'after-2', 'after-3']) await outbox.publish(item(k));
    await waitFor(async () => ['after-1', 'after-2', 'after-3'].every((k) => delivered.includes(k)), { what: 'the updates published after the stream was lost', timeoutMs: 15_000 });
    assert.deepEqual(delivered.filter((k) => k.startsWith('after')), ['after-1', 'after-2', 'after-3'], 'in order, once each');
    assert.ok(warnings.some((w) => /consumer group is gone/.test(w)), `the loss was logged: ${warnings.join(' | ')}`);
  } finally {
    await consumer.stop();
  }
});
