import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';
import { RedisStateStore } from '../../adapters/redis/redis-state.store.ts';
import { ChainopsError } from '../../src/errors.ts';
import { approval, snapshot, stateStoreContract } from '../helpers/state-store.contract.ts';
import { RedisRolloutStore } from '../../adapters/redis/redis-rollout.store.ts';
import { rolloutFenceContract } from '../helpers/rollout-fence.contract.ts';

let server: RedisServerHandle;
let redis: Redis;
const filePrefix = `test-${randomUUID()}`;
const quiet = { info() {}, warn() {}, error() {} };

before(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url, 'state', quiet);
});
after(async () => {
  await closeRedis(redis);
  await server.stop();
});

// Each contract test gets its own prefix on the same server.
stateStoreContract('redis', async () => new RedisStateStore(redis, { prefix: `${filePrefix}:${randomUUID()}` }));
rolloutFenceContract('redis', async () => new RedisRolloutStore(redis, { prefix: `${filePrefix}:${randomUUID()}` }));

describe('RedisStateStore specifics', () => {
  it('keeps every key under its prefix and gives the history list a TTL', async () => {
    const prefix = `${filePrefix}:keys`;
    const s = new RedisStateStore(redis, { prefix, historyTtlMs: 60_000 });
    await s.putSnapshots([snapshot('a', 1)]);
    await s.createApproval(approval('k1'));
    await s.acquireLock('prod/g', 'h', 'p', 60_000);
    await s.setFreeze({ env: 'prod', by: 'u', reason: 'r', at: 1 });
    await s.setMessageRef('m', { platform: 'console', channelId: 'c', messageId: '1' });
    await s.claimOnce('once', 60_000);
    const keys = await redis.keys('*');
    assert.ok(keys.length >= 9, keys.join(' '));
    assert.deepEqual(keys.filter((k) => !k.startsWith(`${filePrefix}:`)), []);
    const ttl = await redis.pttl(`${prefix}:snap:hist:a`);
    assert.ok(ttl > 0 && ttl <= 60_000, `history ttl ${ttl}`);
    assert.ok((await redis.pttl(`${prefix}:approval:k1`)) > 0, 'approvals are not kept forever');
  });

  it('turns a corrupt stored record into an internal error that names the key', async () => {
    const prefix = `${filePrefix}:corrupt`;
    const s = new RedisStateStore(redis, { prefix });
    await redis.hset(`${prefix}:freezes`, 'prod', '{"env":"prod"}');
    await assert.rejects(s.getFreeze('prod'), (e) => e instanceof ChainopsError && e.code === 'internal' && e.message.includes(`${prefix}:freezes`));
  });

  it('serialises many concurrent approvers: every save lands exactly once', async () => {
    const s = new RedisStateStore(redis, { prefix: `${filePrefix}:many` });
    await s.createApproval(approval('busy', { required: 10 }));
    // Ten approvers click at once; each re-reads and retries on conflict, as the core does.
    await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      for (;;) {
        const cur = (await s.getApproval('busy'))!;
        if (await s.saveApproval({ ...cur, approvals: [...cur.approvals, `u${i}`] }, cur.rev)) return;
      }
    }));
    const final = (await s.getApproval('busy'))!;
    assert.equal(final.rev, 10);
    assert.deepEqual([...final.approvals].sort(), Array.from({ length: 10 }, (_, i) => `u${i}`).sort());
  });

  it('keeps state across a Redis restart (AOF)', async () => {
    const s = new RedisStateStore(redis, { prefix: `${filePrefix}:aof` });
    await s.setFreeze({ env: 'prod', by: 'u', reason: 'audit', at: 1 });
    await s.acquireLock('prod/g', 'job-1', 'upgrade', 600_000);
    await server.restart();
    assert.equal((await s.getFreeze('prod'))?.reason, 'audit');
    assert.equal((await s.getLock('prod/g'))?.holder, 'job-1');
  });
});
