// The sharded part of `npm run bench:sweep`: one fleet (100 000 endpoints by default) swept by 1, 2
// and 4 worker processes at once, each taking its rendezvous share (bench/sweep-shard-runner.ts),
// against the same responder. Efficiency is nodes per CPU-second of the sweeping processes, so the
// figure does not depend on how many cores the machine has; the target is that sharding costs ≤ 20 %.
import { fork, type ChildProcess } from 'node:child_process';
import { median, secs, verdict } from './bench-stats.ts';
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

/** Run the comparison and print it. `nodes` ≈ total endpoints (Ethereum plus a tenth as many Bitcoin). */
export async function shardBench(opts: { ports: number[]; nodes: number; workers: number[]; runs: number; concurrency: number }): Promise<void> {
  const eth = Math.round(opts.nodes / 1.1);
  console.log(`sharded sweeps: ${eth} eth + ${Math.floor(eth / 10)} bitcoin endpoints over ${opts.workers.join(', ')} worker processes (rendezvous shares; each share also judges the whole fleet); ${opts.runs} runs each after a warm-up`);
  let base: number | undefined;
  for (const k of opts.workers) {
    const members = Array.from({ length: k }, (_, i) => `w${i}`);
    const kids = members.map((me) =>
      fork(new URL('./sweep-shard-runner.ts', import.meta.url), {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, ETH: String(eth), PORTS_JSON: JSON.stringify(opts.ports), MEMBERS: members.join(','), ME: me, CONCURRENCY: String(opts.concurrency) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    try {
      await Promise.all(kids.map((c) => next(c, 'ready')));
      await Promise.all(kids.map((c) => { const w = next(c, 'warmed'); c.send({ warm: true }); return w; }));
      const rounds: ShardRunResult[][] = [];
      for (let r = 0; r < opts.runs; r++) {
        rounds.push(await Promise.all(kids.map(async (c) => { const res = next<{ result: ShardRunResult }>(c, 'result'); c.send({ run: true }); return (await res).result; })));
      }
      const checked = rounds.map((rs) => rs.reduce((a, x) => a + x.checked, 0));
      const wall = median(rounds.map((rs) => Math.max(...rs.map((x) => x.ms))));
      const cpu = median(rounds.map((rs) => rs.reduce((a, x) => a + x.cpuMs, 0)));
      const perCpuSec = (checked[0]! / cpu) * 1000;
      base ??= perCpuSec;
      const ratio = perCpuSec / base;
      const unhealthy = Math.max(...rounds.map((rs, i) => checked[i]! - rs.reduce((a, x) => a + x.healthy, 0)));
      console.log(`  ${k} worker${k > 1 ? 's' : ' '}: ${checked[0]} nodes per round in ${secs(wall)} wall (${Math.round((checked[0]! / wall) * 1000)} nodes/s), ${secs(cpu)} CPU → ${Math.round(perCpuSec)} nodes per CPU-second = ${(ratio * 100).toFixed(0)} % of one process${k > 1 ? `   (target ≥ ${TARGET_RATIO * 100} %: ${verdict(ratio >= TARGET_RATIO)})` : ''}`);
      console.log(`    shares: ${rounds[0]!.map((x) => x.checked).join(' + ')}; runs (wall ms): ${rounds.map((rs) => Math.max(...rs.map((x) => x.ms)).toFixed(0)).join(', ')}${unhealthy ? `; WARNING: ${unhealthy} nodes not healthy` : ''}`);
      if (checked.some((c) => c !== checked[0])) console.log('    WARNING: the shares did not add up to the same total every round');
    } finally {
      for (const c of kids) c.send({ exit: true });
    }
  }
  console.log('');
}
