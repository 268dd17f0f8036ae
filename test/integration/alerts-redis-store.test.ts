import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { RedisAlertStore } from '../../adapters/redis/redis-alert.store.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';
import { ChainopsError } from '../../src/errors.ts';
import { alertRecord, alertStoreContract } from '../helpers/alert-store.contract.ts';

let server: RedisServerHandle;
let redis: Redis;
const filePrefix = `test-${randomUUID()}`;
const quiet = { info() {}, warn() {}, error() {} };

before(async () => {
  server = await startRedisServer({ appendonly: false });
  redis = createRedis(server.url, 'state', quiet);
});
after(async () => {
  await closeRedis(redis);
  await server.stop();
});

alertStoreContract('redis', async () => {
  let now = 0;
  const store = new RedisAlertStore(redis, { prefix: `${filePrefix}:${randomUUID()}`, clock: { now: () => now } });
  return { store, setNow: (ms) => void (now = ms) };
});

describe('RedisAlertStore specifics', () => {
  it('keeps keys under its prefix; a resolved alert expires after the retention', async () => {
    const prefix = `${filePrefix}:keys`;
    const s = new RedisAlertStore(redis, { prefix, resolvedRetentionMs: 60_000 });
    await s.create(alertRecord('al-key00001'));
    const a = (await s.get('al-key00001'))!;
    assert.equal(await redis.pttl(`${prefix}:alert:al-key00001`), -1, 'active alerts never expire');
    await s.save({ ...a, state: 'resolved', resolvedAt: Date.now() }, a.rev);
    const ttl = await redis.pttl(`${prefix}:alert:al-key00001`);
    assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);
    const keys = await redis.keys(`${filePrefix}:keys*`);
    assert.deepEqual(keys.sort(), [`${prefix}:alert:al-key00001`, `${prefix}:alerts:resolved`]);
  });

  it('many workers saving one alert at once: each change lands exactly once', async () => {
    const s = new RedisAlertStore(redis, { prefix: `${filePrefix}:many` });
    await s.create(alertRecord('al-many0001', { count: 0 }));
    await Promise.all(Array.from({ length: 10 }, async () => {
      for (;;) {
        const cur = (await s.get('al-many0001'))!;
        if (await s.save({ ...cur, count: cur.count + 1 }, cur.rev)) return;
      }
    }));
    const final = (await s.get('al-many0001'))!;
    assert.deepEqual([final.count, final.rev], [10, 10]);
  });

  it('a corrupt record is an internal error naming its key', async () => {
    const prefix = `${filePrefix}:corrupt`;
    const s = new RedisAlertStore(redis, { prefix });
    await redis.hset(`${prefix}:alert:al-bad00001`, 'rev', 0, 'json', '{"id":"al-bad00001"}');
    await assert.rejects(s.get('al-bad00001'), (e) => e instanceof ChainopsError && e.code === 'internal' && e.message.includes(`${prefix}:alert:al-bad00001`));
  });
});
