// Sharded health sweeps over a real Redis: three sweepers split a fleet of 60 nodes every round, each
// node checked by exactly one of them; one is killed (no goodbye, like SIGKILL) in the middle of its
// share, and from the first round after its heartbeat lapses its nodes are checked by the other two,
// still none twice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisSweepMembers } from '../../adapters/redis/redis-sweep-members.ts';
import { RedisSweepDigests } from '../../adapters/redis/redis-sweep-digests.ts';
import type { FleetDigest } from '../../src/health/fleet-digest.ts';
import { startShardedSweeper } from '../../jobs/health/sharded-sweeper.ts';
import { ownerOf, shareOf } from '../../jobs/health/shares.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';

const quiet = { info() {}, warn() {}, error() {} };
const NODES = Array.from({ length: 60 }, (_, i) => ({ name: `n-${i}` }));
const INTERVAL = 1_500;
const TTL = 600;

let server: RedisServerHandle;
const conns: Redis[] = [];
before(async () => {
  server = await startRedisServer({ appendonly: false });
});
after(async () => {
  for (const c of conns) c.disconnect();
  await server.stop();
});

describe('rendezvous shares', () => {
  it('every node has one owner; removing a member moves only its nodes', () => {
    const members = ['w-a', 'w-b', 'w-c'];
    const shares = members.map((m) => shareOf(NODES, members, m).map((n) => n.name));
    assert.deepEqual(shares.flat().sort(), NODES.map((n) => n.name).sort(), 'the shares cover the fleet exactly once');
    for (const s of shares) assert.ok(s.length >= 10, `a share of ${s.length} of 60 is too uneven`);
    const two = ['w-a', 'w-c'];
    for (const n of NODES) if (ownerOf(n.name, members) !== 'w-b') assert.equal(ownerOf(n.name, two), ownerOf(n.name, members), `${n.name} moved needlessly`);
  });
});

describe('sharded sweeper on Redis', () => {
  it('3 workers, one killed mid-share: its nodes are checked within the next round after its heartbeat lapses, none twice', async () => {
    const prefix = storePrefix(`t-${randomUUID().slice(0, 8)}`, 'sweepers');
    /** round → node → the workers that checked it in that round */
    const checks = new Map<number, Map<string, string[]>>();
    let killAt: { worker: string; after: number } | undefined;
    let killedRound = 0;
    const record = (round: number, node: string, worker: string) => {
      const r = checks.get(round) ?? new Map<string, string[]>();
      checks.set(round, r);
      r.set(node, [...(r.get(node) ?? []), worker]);
    };
    const sweepers = ['w-1', 'w-2', 'w-3'].map((id) => {
      const conn = new Redis(server.url);
      conns.push(conn);
      let dead = false;
      const s = startShardedSweeper({
        members: new RedisSweepMembers(conn, prefix),
        id,
        nodes: () => NODES,
        intervalMs: () => INTERVAL,
        ttlMs: TTL,
        logger: quiet,
        sweep: async (nodes, round) => {
          let n = 0;
          for (const node of nodes ?? NODES.map((x) => x.name)) {
            if (dead) return; // the process is gone: no more checks
            if (killAt?.worker === id && n === killAt.after) {
              dead = true;
              killedRound = round;
              conn.disconnect(); // no heartbeat, no goodbye
              return;
            }
            record(round, node, id);
            n++;
            await new Promise((r) => setTimeout(r, 2));
          }
        },
      });
      return { id, s };
    });
    try {
      // Wait for two full rounds with all three members.
      const fullRounds = () => [...checks.entries()].filter(([, m]) => new Set([...m.values()].flat()).size === 3);
      await waitFor(async () => fullRounds().length >= 2, { what: 'two rounds shared by all three workers', timeoutMs: 20_000, intervalMs: 50 });
      const [, sample] = fullRounds()[0]!;
      assert.equal(sample.size, NODES.length, 'a three-way round checks every node');

      killAt = { worker: 'w-2', after: 5 };
      await waitFor(async () => killedRound > 0, { what: 'w-2 to die in the middle of its share', timeoutMs: 10_000, intervalMs: 20 });
      // The round after the heartbeat lapsed (TTL < interval): the next round, or at worst the one after a boundary race.
      const takeover = killedRound + INTERVAL;
      await waitFor(async () => checks.has(takeover + INTERVAL), { what: 'two rounds after the kill', timeoutMs: 15_000, intervalMs: 50 });
      const afterKill = checks.get(takeover)!;
      assert.equal(afterKill.size, NODES.length, `round after the kill checked ${afterKill.size} of ${NODES.length} nodes`);
      assert.ok(![...afterKill.values()].flat().includes('w-2'), 'the dead worker checked nothing');

      for (const [round, m] of checks) {
        for (const [node, by] of m) assert.equal(by.length, 1, `round ${round}: ${node} checked by ${by.join(', ')}`);
      }
      const killed = checks.get(killedRound)!;
      assert.ok(killed.size < NODES.length, 'the kill really cut a share short');
    } finally {
      for (const { s } of sweepers) await s.stop({ leave: false });
    }
  });
});

describe('share digests on Redis', () => {
  it('a digest round-trips through Redis, a member without one is left out, and it expires', async () => {
    const conn = new Redis(server.url);
    conns.push(conn);
    const digests = new RedisSweepDigests(conn, storePrefix(`t-${randomUUID().slice(0, 8)}`, 'sweepers'));
    const digest: FleetDigest = {
      at: 1_700_000_000_000,
      groups: [{
        group: 'geth', env: 'prod', nodes: 3, heads: [[100, 1_700_000_000_000, 2]], headAge: { reporting: 2, newestHeadTime: 1_700_000_000_000 },
        clients: { geth: 3 }, views: [{ view: { currentForkId: '0x01', currentDigest: 'd' }, count: 2 }],
        hashes: [{ hashes: [{ height: 100, hash: '0xaa' }], nodes: ['n-1', 'n-2'] }],
      }],
    };
    await digests.put('w-a', digest, 400);
    const got = await digests.get(['w-a', 'w-b']);
    assert.deepEqual([...got.keys()], ['w-a']);
    assert.deepEqual(got.get('w-a'), digest);
    await waitFor(async () => (await digests.get(['w-a'])).size === 0, { what: 'the digest to expire', timeoutMs: 5_000, intervalMs: 50 });
  });
});
