// Child process of bench/sweep-shards.ts: one worker of a sharded sweep. Each `{ run: true }` does
// what a worker does in a round of jobs/health/sharded-sweeper.ts, minus Redis: take its share of
// the fleet by rendezvous hashing over MEMBERS, sweep it, then judge the whole fleet (each share's
// alert evaluation assesses every node's latest snapshot, its own fresh ones and the others' last).
// Reports wall time and the CPU time this process spent.
import { createCheckers } from '../adapters/rpc/checker-registry.ts';
import { shareOf } from '../jobs/health/shares.ts';
import { assessFleet } from '../src/health/fleet-health.ts';
import type { Snapshot } from '../src/health/snapshot.ts';
import { sweep } from '../src/health/sweep.ts';
import { BENCH_ENV, benchFleet } from './bench-fleet.ts';

export interface ShardRunResult {
  ms: number;
  cpuMs: number;
  checked: number;
  healthy: number;
}

const eth = Number(process.env.ETH);
const ports = JSON.parse(process.env.PORTS_JSON ?? '[]') as number[];
const members = (process.env.MEMBERS ?? 'w0').split(',');
const me = process.env.ME ?? 'w0';
const concurrency = Number(process.env.CONCURRENCY ?? 256);
const fleet = benchFleet(eth, Math.floor(eth / 10), ports);
const checkers = createCheckers({ env: BENCH_ENV });
/** Every node's latest snapshot as the state store would hold it (filled by the warm-up). */
const latest = new Map<string, Snapshot>();

async function once(): Promise<ShardRunResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const share = members.length === 1 ? fleet.nodes : shareOf(fleet.nodes, members, me);
  const snaps = await sweep(fleet, checkers, { concurrency, timeoutMs: 5_000, now: Date.now, nodes: share.length === fleet.nodes.length ? undefined : share.map((n) => n.name) });
  for (const s of snaps) latest.set(s.node, s);
  const health = assessFleet(fleet, [...latest.values()], Date.now());
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const mine = new Set(snaps.map((s) => s.node));
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, checked: snaps.length, healthy: health.nodes.filter((n) => mine.has(n.node) && n.status === 'healthy').length };
}

process.on('message', (m: { run?: boolean; warm?: boolean; exit?: boolean }) => {
  if (m.exit) {
    void checkers.close().finally(() => process.exit(0));
    return;
  }
  if (m.warm) {
    // Unmeasured: this worker's share once (connections, JIT), and for every other node a copy of a
    // fresh snapshot of its group, as the others' latest would sit in Redis.
    void once().then((r) => {
      const byGroup = new Map<string, Snapshot>();
      for (const s of latest.values()) byGroup.set(s.group, s);
      for (const n of fleet.nodes) {
        const like = byGroup.get(n.group);
        if (like && !latest.has(n.name)) latest.set(n.name, { ...like, node: n.name });
      }
      process.send?.({ warmed: r.checked });
    });
    return;
  }
  if (m.run) void once().then((result) => process.send?.({ result }));
});
process.send?.({ ready: true });
process.on('disconnect', () => process.exit(0));
