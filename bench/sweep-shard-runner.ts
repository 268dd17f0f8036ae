// Child process of bench/sweep-shards.ts: one worker of a sharded sweep, doing in each `{ run: true }`
// what a worker does in a round of jobs/health/sharded-sweeper.ts, on the bench's redis-server and
// through the production code: the health processor checks this worker's rendezvous share, stores the
// snapshots (latest, history, KPI points), publishes its digest, reads the other members' and
// evaluates its nodes' alerts (the first member also the chain-wide ones) on the Redis alert store.
// A lone worker runs the same path with the whole fleet. Reports wall time and this process's CPU time.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { RedisAlertStore } from '../adapters/redis/redis-alert.store.ts';
import { RedisAuditLog } from '../adapters/redis/redis-audit.log.ts';
import { RedisStateStore } from '../adapters/redis/redis-state.store.ts';
import { RedisSweepDigests } from '../adapters/redis/redis-sweep-digests.ts';
import { RedisOutbox } from '../adapters/outbox/redis.outbox.ts';
import { createCheckers } from '../adapters/rpc/checker-registry.ts';
import { healthProcessor } from '../jobs/health/health.processor.ts';
import { shareOf } from '../jobs/health/shares.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import { assessFleet } from '../src/health/fleet-health.ts';
import type { Snapshot } from '../src/health/snapshot.ts';
import { systemClock } from '../src/ports/clock.port.ts';
import { storePrefix } from '../src/ports/key-layout.ts';
import { BENCH_ENV, benchFleet } from './bench-fleet.ts';

export interface ShardRunResult {
  ms: number;
  cpuMs: number;
  checked: number;
  healthy: number;
  /** Alert changes this worker saved (a healthy fleet: 0 once warmed up). */
  alertChanges: number;
  peakRss: number;
  /** Why nodes were not healthy, by reason with the numbers taken out (`lag N > N blocks`). */
  reasons: Record<string, number>;
  /** Alert changes this worker saved, by `rule state` (e.g. `node_lag pending`). */
  changesByRule: Record<string, number>;
}

const eth = Number(process.env.ETH);
const ports = JSON.parse(process.env.PORTS_JSON ?? '[]') as number[];
const members = (process.env.MEMBERS ?? 'w0').split(',');
const me = process.env.ME ?? 'w0';
const prefix = process.env.PREFIX ?? 'bench';
const concurrency = Number(process.env.CONCURRENCY ?? 256);
const base = benchFleet(eth, Math.floor(eth / 10), ports);
// A long interval keeps every digest fresh across the bench's rounds; no rechecks (a healthy fleet has none anyway).
// A 30 s RPC timeout: on this shared 2-core machine 4 workers and the responder starve each other,
// and a node timed out is not the same work as a node checked (the figures would compare unlike work).
// Rounds of 100 000 nodes take minutes here: a 10-minute interval and a 1-hour head-age limit keep
// every snapshot judgeable, so each configuration judges a healthy fleet (no alert work that one has
// and another has not).
const maxLag = Number(process.env.MAX_LAG_BLOCKS ?? 5);
const fleet = {
  ...base,
  environments: { prod: { ...base.environments.prod!, thresholds: { max_lag_blocks: maxLag, max_head_age: 3_600_000, min_peers: 3, max_disk_used_pct: 85 } } },
  health: { ...base.health, concurrency, interval: 600_000, recheck: 0, timeout: 30_000 },
};
const checkers = createCheckers({ env: BENCH_ENV });
const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const tag = (s: 'state' | 'audit' | 'alerts' | 'sweepers') => storePrefix(prefix, s);
const quiet = { info() {}, warn() {}, debug() {}, error(o: object, m?: string) { console.error(m, o); } };
const deps = {
  fleet: () => fleet,
  checkerFor: checkers,
  state: new RedisStateStore(redis, { prefix: tag('state'), kpiBucketMs: fleet.health.interval }),
  audit: new RedisAuditLog(redis, { prefix: tag('audit') }),
  outbox: new RedisOutbox(redis, prefix),
  alerts: countingAlerts(new RedisAlertStore(redis, { prefix: tag('alerts') })),
  clock: systemClock,
  logger: quiet,
};
// What the round stored and which alerts it changed, kept by reference only (no work in the
// measured round); the reasons are worked out after the CPU reading.
let stored: Snapshot[] = [];
const putSnapshots = deps.state.putSnapshots.bind(deps.state);
deps.state.putSnapshots = async (snaps: Snapshot[]) => {
  stored = stored.concat(snaps);
  return putSnapshots(snaps);
};
let changed: Alert[] = [];
function countingAlerts(store: RedisAlertStore): RedisAlertStore {
  const create = store.create.bind(store);
  const save = store.save.bind(store);
  store.create = async (a: Alert) => { changed.push(a); return create(a); };
  store.save = async (a: Alert, rev: number) => { changed.push(a); return save(a, rev); };
  return store;
}
const tally = (keys: Iterable<string>) => {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
};
const digests = new RedisSweepDigests(redis, tag('sweepers'));
const processor = healthProcessor(deps, { wide: members[0] === me, share: { me, members, digests } });
let round = 0;

/**
 * This process's peak RSS so far, from the kernel (VmHWM): one read after the round. Sampling
 * `process.memoryUsage.rss()` every 20 ms cost ~2 % of a worker's CPU in a profile, counted against
 * the workers in proportion to wall time × workers — a bias against sharding.
 */
function peakRss(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux: the current RSS is the best cheap figure
  }
  return process.memoryUsage.rss();
}

async function once(): Promise<ShardRunResult> {
  stored = [];
  changed = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // As the sweeper does at every round start (the member list may have changed).
  const share = members.length === 1 ? undefined : shareOf(fleet.nodes, members, me).map((n) => n.name);
  const res = (await processor({ id: `bench-${me}-${++round}`, queue: 'health', data: { v: 1, kind: 'sweep', ...(share ? { nodes: share } : {}) }, attempt: 1, progress: async () => {}, log: async () => {} })) as { checked: number; healthy: number; alerts?: { changed: number } };
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const peak = peakRss(); // before the tally below allocates
  // This share's own judgement, as the processor's `healthy` count is (reference heads from its nodes).
  const judged = assessFleet(fleet, stored, systemClock.now(), { nodes: new Set(stored.map((x) => x.node)) }).nodes.filter((n) => n.status !== 'healthy');
  const reasons = tally(judged.flatMap((n) => n.reasons.map((r) => r.replace(/\d[\d.,]*/g, 'N'))));
  const changesByRule = tally(changed.map((a) => `${a.rule} ${a.state}`));
  return { reasons, changesByRule, ms, cpuMs: (cpu.user + cpu.system) / 1000, checked: res.checked, healthy: res.healthy, alertChanges: res.alerts?.changed ?? 0, peakRss: peak };
}

process.on('message', (m: { run?: boolean; exit?: boolean }) => {
  if (m.exit) {
    void checkers.close().finally(() => {
      redis.disconnect();
      process.exit(0);
    });
    return;
  }
  if (m.run) void once().then((result) => process.send?.({ result }), (err: unknown) => { console.error(err); process.exit(1); });
});
process.send?.({ ready: true });
process.on('disconnect', () => process.exit(0));
