// Sharded health sweeps with real worker processes (issue #14): three `chainops worker` processes on
// one redis-server split 24 nodes; the checks are seen where they land, at a JSON-RPC stand-in that
// counts them per node. One worker is SIGKILLed in the middle of its share (some of its nodes
// checked, some not); from the next round on its nodes are checked by the other two, and in no round
// is any node checked twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisSweepMembers } from '../../adapters/redis/redis-sweep-members.ts';
import { shareOf } from '../../jobs/health/shares.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { startEthRpcCounter, type EthRpcCounter } from '../stand-ins/eth-rpc-counter.stand-in.ts';

const NODES = Array.from({ length: 24 }, (_, i) => ({ name: `n-${i + 1}` }));
/** Sweep interval: rounds start on its multiples, on every worker. Generous, for a loaded 2-core machine. */
const INTERVAL = 5_000;
/** Each answer is held back this long, one check at a time, so a share of ~8 nodes lasts ~0.5 s. */
const DELAY = 60;

let redis: RedisServerHandle;
let rpc: EthRpcCounter;
let dir: string;
let conn: Redis;
const workers: BotProcess[] = [];
let env: Record<string, string>;

before(async () => {
  [redis, rpc] = await Promise.all([startRedisServer({ appendonly: false }), startEthRpcCounter({ delayMs: DELAY })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-shards-'));
  await writeFile(join(dir, 'chainops.yaml'), `
version: 1
name: shards
environments:
  prod: { thresholds: { min_peers: 0 } }
groups:
  eth: { chain: ethereum, network: mainnet, client: geth, desired_version: 1.14.3, rpc: { kind: eth } }
nodes:
${NODES.map((n) => `  - { name: ${n.name}, group: eth, env: prod, rpc_url: "${rpc.urlOf(n.name)}" }`).join('\n')}
# recheck 0: a recheck is a second check in the same round by design; nothing here should confirm anyway.
health: { interval: ${INTERVAL}ms, timeout: 3s, concurrency: 1, recheck: 0s }
`);
  env = { REDIS_URL: redis.url, CHAINOPS_CONFIG: join(dir, 'chainops.yaml'), CHAINOPS_PREFIX: `shp-${randomUUID().slice(0, 8)}`, METRICS_PORT: '0', LOG_LEVEL: 'info' };
  conn = new Redis(redis.url);
  workers.push(...(await Promise.all([0, 1, 2].map(() => startBotProcess('worker', env, 60_000)))));
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  conn?.disconnect();
  await rpc?.close();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The round a check belongs to. Its requests come a little after the round's start (never before it by more than a timer's rounding). */
const roundOf = (at: number) => Math.floor((at + 100) / INTERVAL) * INTERVAL;

/** round → node → how often it was checked in that round */
function checksByRound(from: number): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  for (const c of rpc.checks) {
    const r = roundOf(c.at);
    if (r < from) continue;
    const m = out.get(r) ?? new Map<string, number>();
    out.set(r, m);
    m.set(c.node, (m.get(c.node) ?? 0) + 1);
  }
  return out;
}

test('3 worker processes share the sweep; one SIGKILLed mid-share: its nodes are checked in the next round by the others, no node twice in any round', async (t) => {
  const members = new RedisSweepMembers(conn, storePrefix(env['CHAINOPS_PREFIX']!, 'sweepers'));
  const live = await waitFor(async () => {
    const m = await members.live(Date.now(), Date.now());
    return m.length === 3 ? m.map((x) => x.id) : undefined;
  }, { what: 'three sweep members', timeoutMs: 30_000, intervalMs: 100 });
  // Steady state: a round that starts after all three joined; earlier checks (the first worker's
  // start-up sweep of the whole fleet, the drift schedule's first run) are not part of it.
  const steady = roundOf(Date.now()) + 2 * INTERVAL;
  await waitFor(async () => checksByRound(steady).get(steady)?.size === NODES.length || undefined, { what: 'a round shared by all three', timeoutMs: 30_000, intervalMs: 100 });
  const first = checksByRound(steady).get(steady)!;
  assert.ok([...first.values()].every((n) => n === 1), `a three-way round checks each node once: ${JSON.stringify([...first])}`);

  // The victim: the worker with the largest share, killed once some but not all of its nodes have
  // been checked in a round — in the middle of its share.
  const victimId = [...live].sort((a, b) => shareOf(NODES, live, b).length - shareOf(NODES, live, a).length)[0];
  assert.ok(victimId, `some worker has a share of two nodes or more: ${live.join(', ')}`);
  const victim = workers.find((w) => victimId.includes(`-${w.pid}-`));
  assert.ok(victim, `${victimId} is one of our worker processes`);
  const share = new Set(shareOf(NODES, live, victimId).map((n) => n.name));
  let killedRound = 0;
  await waitFor(async () => {
    const r = roundOf(Date.now());
    const seen = [...(checksByRound(r).get(r)?.keys() ?? [])].filter((n) => share.has(n)).length;
    if (seen === 0 || seen >= share.size) return undefined;
    process.kill(victim.pid, 'SIGKILL');
    killedRound = r;
    return true;
  }, { what: `${victimId} in the middle of its share`, timeoutMs: 30_000, intervalMs: 5 });
  workers.splice(workers.indexOf(victim), 1);

  const next = killedRound + INTERVAL;
  await waitFor(async () => checksByRound(next + INTERVAL).has(next + 2 * INTERVAL) || undefined, { what: 'two rounds after the kill', timeoutMs: 30_000, intervalMs: 100 });
  const rounds = checksByRound(steady);
  const cut = [...(rounds.get(killedRound)?.keys() ?? [])].filter((n) => share.has(n)).length;
  assert.ok(cut < share.size, `the kill cut the share short (${cut} of ${share.size} checked)`);
  t.diagnostic(`victim share ${share.size} nodes, ${cut} checked before the SIGKILL; rounds seen: ${[...rounds].map(([r, m]) => `${(r - killedRound) / INTERVAL}:${m.size}`).join(' ')}`);
  for (const r of [next, next + INTERVAL]) {
    const m = rounds.get(r) ?? new Map<string, number>();
    const missing = NODES.map((n) => n.name).filter((n) => !m.has(n));
    assert.deepEqual(missing, [], `round ${(r - killedRound) / INTERVAL} after the kill left nodes unchecked`);
  }
  for (const [r, m] of rounds) {
    const twice = [...m].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], `round ${r} checked nodes more than once`);
  }
  // The survivors say so too: their share logs name two members from the round after the kill.
  for (const w of workers) {
    assert.ok(w.logs().some((l) => l.msg === 'health sweep share done' && l['round'] === next && l['members'] === 2), `worker ${w.pid} swept round ${next} as one of two`);
  }
});
