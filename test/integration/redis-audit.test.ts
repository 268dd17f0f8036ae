import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';
import { RedisAuditLog } from '../../adapters/redis/redis-audit.log.ts';
import type { AuditEntry } from '../../src/ports/audit.port.ts';

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

const entry = (i: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at: 1_700_000_000_000 + i, actor: 'slack:T1/U1', action: 'command', detail: `status prod #${i}`, ...extra,
});

describe('RedisAuditLog', () => {
  it('returns appended entries newest first, exactly as written', async () => {
    const log = new RedisAuditLog(redis, { prefix: `${filePrefix}:order` });
    assert.deepEqual(await log.latest(5), []);
    for (let i = 0; i < 5; i++) await log.append(entry(i));
    await log.append(entry(5, { outcome: 'refused', ref: 'job-abc1' }));
    const latest = await log.latest(3);
    assert.deepEqual(latest, [entry(5, { outcome: 'refused', ref: 'job-abc1' }), entry(4), entry(3)]);
    assert.equal((await log.latest(100)).length, 6);
    assert.deepEqual(await log.latest(0), []);
  });

  it('keeps order under concurrent appends from many writers', async () => {
    const log = new RedisAuditLog(redis, { prefix: `${filePrefix}:concurrent` });
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(entry(i))));
    const all = await log.latest(100);
    assert.equal(all.length, 50);
    assert.deepEqual(new Set(all.map((e) => e.at)).size, 50);
  });

  it('offers no way to edit or delete entries', () => {
    const methods = Object.getOwnPropertyNames(RedisAuditLog.prototype).filter((m) => m !== 'constructor').sort();
    assert.deepEqual(methods, ['append', 'latest']);
  });

  it('caps the stream approximately at maxLen', async () => {
    const prefix = `${filePrefix}:cap`;
    const log = new RedisAuditLog(redis, { prefix, maxLen: 100 });
    for (let i = 0; i < 1_000; i++) await log.append(entry(i));
    const len = await redis.xlen(`${prefix}:audit`);
    // `MAXLEN ~` trims whole radix-tree nodes (100 entries by default), so allow one node extra.
    assert.ok(len >= 100 && len <= 200, `stream length ${len}`);
    assert.equal((await log.latest(1))[0]?.at, entry(999).at);
  });

  it('skips an unreadable entry instead of hiding the rest', async () => {
    const prefix = `${filePrefix}:bad`;
    const warnings: string[] = [];
    const log = new RedisAuditLog(redis, { prefix, logger: { ...quiet, warn: (_o, msg) => void warnings.push(String(msg)) } });
    await log.append(entry(1));
    await redis.xadd(`${prefix}:audit`, '*', 'e', '{"not":"an entry"}');
    await log.append(entry(2));
    assert.deepEqual((await log.latest(10)).map((e) => e.at), [entry(2).at, entry(1).at]);
    assert.equal(warnings.length, 1);
  });

  it('keeps entries across a Redis restart (AOF)', async () => {
    const log = new RedisAuditLog(redis, { prefix: `${filePrefix}:aof` });
    await log.append(entry(42));
    await server.restart();
    assert.deepEqual(await log.latest(1), [entry(42)]);
  });
});
