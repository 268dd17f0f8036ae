/**
 * The GitOps ledger on a real Redis answers as the in-memory one the announcer's unit tests use:
 * claims are compare-and-delete and lapse unless kept, looks are ordered, refusals are counted per
 * address and window. One ledger per "replica", sharing one prefix.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisGitopsLedger } from '../../adapters/gitops/gitops-ledger.redis.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';

let server: RedisServerHandle;
let redis: Redis;
let now = 1_000_000;
const prefix = `{ledger-${randomUUID().slice(0, 8)}:fleet}`;
const ledger = () => new RedisGitopsLedger(redis, { prefix, clock: { now: () => now } });

before(async () => {
  server = await startRedisServer({ appendonly: false });
  redis = createRedis(server.url, 'state', { info() {}, warn() {}, error() {} });
});
after(async () => {
  await closeRedis(redis);
  await server?.stop();
});

test('a claim is given back or kept only by its owner, and one never kept lapses by itself', async () => {
  const [a, b] = [ledger(), ledger()];
  assert.equal(await a.claim('preview:x', 'replica-a', 60_000), true);
  assert.equal(await b.claim('preview:x', 'replica-b', 60_000), false);
  assert.equal(await b.giveBack('preview:x', 'replica-b'), false, "b cannot remove a's claim");
  assert.equal(await b.keep('preview:x', 'replica-b', 60_000), false);
  assert.equal(await a.giveBack('preview:x', 'replica-a'), true);
  assert.equal(await b.claim('preview:x', 'replica-b', 60_000), true, 'given back: the next look may post');
  assert.equal(await b.keep('preview:x', 'replica-b', 86_400_000), true);
  assert.ok((await redis.pttl(`${prefix}:gitops:claim:preview:x`)) > 60_000, 'kept for the long TTL');

  assert.equal(await a.claim('preview:y', 'replica-a', 50), true);
  await waitFor(async () => b.claim('preview:y', 'replica-b', 60_000), { what: 'the unkept claim to lapse', timeoutMs: 5_000 });
  assert.equal(await a.giveBack('preview:y', 'replica-a'), false, 'a, late, does not remove b\'s claim');
});

test('looks are ordered across replicas: an older look learns a newer one saw another revision', async () => {
  const [a, b] = [ledger(), ledger()];
  const t1 = await a.startLook('src');
  const t2 = await b.startLook('src');
  assert.ok(t2 > t1);
  assert.equal(await b.sawRevision('src', t2, 'rev-new'), 'rev-new');
  assert.equal(await a.sawRevision('src', t1, 'rev-old'), 'rev-new');
  assert.equal(await a.sawRevision('src', 0, 'rev-old'), 'rev-new', 'ticket 0 only reads');
  assert.equal(await a.sawRevision('other-src', 0, 'rev-x'), 'rev-x', 'no look recorded yet');
});

test('refusals: one due answer per address per window, carrying the count since the last', async () => {
  const [a, b] = [ledger(), ledger()];
  assert.equal(await a.tallyRefusal('203.0.113.7', 60_000), 1);
  for (let i = 0; i < 20; i++) assert.equal(await (i % 2 ? a : b).tallyRefusal('203.0.113.7', 60_000), 0);
  assert.equal(await b.tallyRefusal('198.51.100.2', 60_000), 1, 'another address has its own window');
  now += 60_000;
  assert.equal(await b.tallyRefusal('203.0.113.7', 60_000), 21);
  assert.equal(await a.tallyRefusal('203.0.113.7', 60_000), 0);
});
