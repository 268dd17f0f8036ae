// A Sentinel client must survive a failover announced while it is reconnecting (issue #14). ioredis'
// failover detector stops a connect attempt that is half-way (asking a sentinel where the primary
// is) when `+switch-master` arrives, and the client then ends for good ("Connection is closed." for
// every command) — what stopped a worker's sweeps and rollout under load. Made deterministic here:
// the sentinel the client asks first is paused (SIGSTOP) while the primary dies and the two others
// promote the replica, then resumed, so its late answer lands on a stopped attempt.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startSentinelSet, type SentinelSet } from '../../adapters/local/redis-sentinel.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';

let sentinel: SentinelSet;
let client: Redis;
const warnings: string[] = [];
const logger = { info() {}, warn: (_o: object, msg?: string) => void warnings.push(msg ?? ''), error() {} };

before(async () => {
  sentinel = await startSentinelSet();
  client = createRedis(sentinel.url, 'state', logger);
  ports.push(...[...sentinel.url.matchAll(/:(\d+)/g)].map((m) => Number(m[1])));
});

after(async () => {
  if (client) await closeRedis(client);
  await sentinel?.stop();
});

test('a failover announced while the client asks a paused sentinel: the client connects again and answers', async () => {
  await client.set('before', '1');
  await waitFor(async () => (await Promise.all(ports.slice(1).map(subscribers))).every((n) => n === 1) || undefined, { what: 'the failover detector subscribed', timeoutMs: 10_000, intervalMs: 50 });
  const first = sentinel.sentinelPids[0]!;
  process.kill(first, 'SIGSTOP');
  try {
    const oldPort = await sentinel.killPrimary();
    // The client lost its connection and now waits on the paused sentinel; the other two promote.
    await sentinel.waitForPromotion(oldPort, 60_000);
    // The client's failover detector has fired once its subscriptions to the live sentinels are gone.
    await waitFor(async () => (await Promise.all(ports.slice(1).map(subscribers))).every((n) => n === 0) || undefined, { what: 'the client to act on +switch-master', timeoutMs: 20_000, intervalMs: 50 });
  } finally {
    process.kill(first, 'SIGCONT');
  }
  // Writes work again on the new primary, whatever the client went through.
  await waitFor(async () => (await client.set('after', '1').then(() => true, () => false)) || undefined, { what: 'a write after the failover', timeoutMs: 60_000, intervalMs: 250 });
  assert.notEqual(client.status, 'end');
  assert.ok(warnings.some((w) => /stopped a reconnect half-way/.test(w)), `the race happened and was repaired: ${warnings.join(' | ')}`);
});

/** The sentinels' ports, in the URL's order (the first is the one the client asks first). */
const ports: number[] = [];
/** Connections subscribed to a sentinel's channels (ioredis' failover detector is one per client). */
async function subscribers(port: number): Promise<number> {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 1_000 });
  c.on('error', () => {});
  try {
    const list = String(await c.call('CLIENT', 'LIST'));
    return list.split('\n').filter((l) => / sub=[1-9]/.test(l)).length;
  } finally {
    c.disconnect();
  }
}
