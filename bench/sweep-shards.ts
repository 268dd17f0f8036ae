// The sharded part of `npm run bench:sweep`: one fleet (100 000 endpoints by default) swept by 1, 2
// and 4 worker PROCESSES at once (bench/sweep-shard-runner.ts), each running the production round —
// its rendezvous share checked, snapshots stored, digests exchanged, its alerts evaluated — against
// the same responder and one redis-server started here. Efficiency is nodes per CPU-second: of the
// worker processes, and of the workers plus redis-server (whose work grows with the fleet, not with
// the number of workers). The target: sharding costs ≤ 20 %, i.e. ≥ 80 % of one process's figure.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { startRedisServer } from '../adapters/local/redis-server.process.ts';
import { load, median, mib, secs, verdict } from './bench-stats.ts';
import type { ShardRunResult } from './sweep-shard-runner.ts';

const TARGET_RATIO = 0.8;

function next<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`shard runner exited (code ${code}) while waiting for ${key}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

function sumCounts(list: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of list) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return out;
}
const show = (c: Record<string, number>) => Object.entries(c).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v} × ${k}`).join(', ') || 'none';

interface Round {
  results: ShardRunResult[];
  redisCpuMs: number;
}

/** Run the comparison and print it. `nodes` ≈ total endpoints (Ethereum plus a tenth as many Bitcoin). */
export async function shardBench(opts: { ports: number[]; nodes: number; workers: number[]; runs: number; concurrency: number }): Promise<void> {
  const eth = Math.round(opts.nodes / 1.1);
  const redis = await startRedisServer({ appendonly: false });
  const admin = new Redis(redis.url);
  console.log(`sharded sweeps: ${eth} eth + ${Math.floor(eth / 10)} bitcoin endpoints over ${opts.workers.join(', ')} worker processes, each running the production round (share checked, snapshots stored in Redis, digests exchanged, alerts evaluated) on one redis-server; ${opts.concurrency} requests in flight in all (split over the workers); ${opts.runs} measured rounds each after a warm-up round`);
  let base: { workers: number; all: number } | undefined;
  try {
    for (const k of opts.workers) {
      await admin.flushall();
      const members = Array.from({ length: k }, (_, i) => `w${i}`);
      const kids = members.map((me) =>
        fork(new URL('./sweep-shard-runner.ts', import.meta.url), {
          // BENCH_SHARD_PROF=dir: a V8 CPU profile of every worker, in dir/shard-<k>-<member>/ (one file per thread: tsx's loader thread has its own) to compare a share with the whole fleet.
          execArgv: ['--import', 'tsx', ...(process.env.BENCH_SHARD_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SHARD_PROF}/shard-${k}-${me}`] : [])],
          env: { ...process.env, ETH: String(eth), PORTS_JSON: JSON.stringify(opts.ports), MEMBERS: members.join(','), ME: me, CONCURRENCY: String(Math.max(1, Math.round(opts.concurrency / k))), REDIS_URL: redis.url, PREFIX: 'bench' },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      );
      try {
        await Promise.all(kids.map((c) => next(c, 'ready')));
        const roundOnce = async (): Promise<Round> => {
          const r0 = cpuOf(redis.pid);
          const results = await Promise.all(kids.map(async (c) => { const res = next<{ result: ShardRunResult }>(c, 'result'); c.send({ run: true }); return (await res).result; }));
          return { results, redisCpuMs: cpuOf(redis.pid) - r0 };
        };
        const warm = await roundOnce(); // connections, JIT, the first digests and the alert store's first look
        const rounds: Round[] = [];
        for (let r = 0; r < opts.runs; r++) rounds.push(await roundOnce());
        const checked = rounds.map((r) => r.results.reduce((a, x) => a + x.checked, 0));
        const wall = median(rounds.map((r) => Math.max(...r.results.map((x) => x.ms))));
        const cpuWorkers = median(rounds.map((r) => r.results.reduce((a, x) => a + x.cpuMs, 0)));
        const cpuAll = median(rounds.map((r) => r.results.reduce((a, x) => a + x.cpuMs, 0) + r.redisCpuMs));
        const perWorkerCpu = (checked[0]! / cpuWorkers) * 1000;
        const perAllCpu = (checked[0]! / cpuAll) * 1000;
        base ??= { workers: perWorkerCpu, all: perAllCpu };
        const ratio = perWorkerCpu / base.workers;
        const ratioAll = perAllCpu / base.all;
        const unhealthy = Math.max(...rounds.map((r, i) => checked[i]! - r.results.reduce((a, x) => a + x.healthy, 0)));
        const changes = rounds.reduce((a, r) => a + r.results.reduce((b, x) => b + x.alertChanges, 0), 0);
        const peak = Math.max(...rounds.flatMap((r) => r.results.map((x) => x.peakRss)), ...warm.results.map((x) => x.peakRss));
        console.log(`  ${k} worker${k > 1 ? 's' : ' '} (load ${load()}): ${checked[0]} nodes per round in ${secs(wall)} wall (${Math.round((checked[0]! / wall) * 1000)} nodes/s); CPU ${secs(cpuWorkers)} workers + ${secs(median(rounds.map((r) => r.redisCpuMs)))} redis-server`);
        console.log(`    ${Math.round(perWorkerCpu)} nodes per worker CPU-second = ${(ratio * 100).toFixed(0)} % of one process${k > 1 ? `   (target ≥ ${TARGET_RATIO * 100} %: ${verdict(ratio >= TARGET_RATIO)})` : ''}; counting redis-server too: ${Math.round(perAllCpu)} = ${(ratioAll * 100).toFixed(0)} %`);
        console.log(`    shares: ${rounds[0]!.results.map((x) => x.checked).join(' + ')}; runs (wall ms): ${rounds.map((r) => Math.max(...r.results.map((x) => x.ms)).toFixed(0)).join(', ')}; worker CPU per run (ms): ${rounds.map((r) => r.results.reduce((a, x) => a + x.cpuMs, 0).toFixed(0)).join(', ')}; peak RSS per worker ${mib(peak)}; warm-up ${secs(Math.max(...warm.results.map((x) => x.ms)))}${unhealthy ? `; WARNING: ${unhealthy} nodes not healthy` : ''}${changes ? `; ${changes} alert changes in the measured rounds` : ''}`);
        if (checked.some((c) => c !== checked[0])) console.log('    WARNING: the shares did not add up to the same total every round');
        // Why, per measured round: a round is comparable only if it judged the same healthy fleet.
        rounds.forEach((r, i) => {
          const why = sumCounts(r.results.map((x) => x.reasons));
          const alerts = sumCounts(r.results.map((x) => x.changesByRule));
          const clean = Object.keys(why).length === 0 && Object.keys(alerts).length === 0;
          console.log(`    round ${i + 1}: ${clean ? 'clean (every node healthy, no alert changes)' : `NOT CLEAN — not healthy: ${show(why)}; alert changes: ${show(alerts)}`}`);
        });
        const warmWhy = sumCounts(warm.results.map((x) => x.reasons));
        if (Object.keys(warmWhy).length) console.log(`    warm-up not healthy: ${show(warmWhy)}`);
      } finally {
        for (const c of kids) c.send({ exit: true });
      }
    }
  } finally {
    admin.disconnect();
    await redis.stop();
  }
  console.log('');
}
