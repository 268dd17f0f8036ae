// npm run bench:sweep — a ChainOps health sweep (sweep + assessFleet) against the raw ceiling:
// the same HTTP requests sent by plain undici, measured side by side in the same run against a
// loopback JSON-RPC responder that runs in a child process. Prints ratios; asserts nothing.
import { fork } from 'node:child_process';
import { createCheckers } from '../adapters/rpc/checker-registry.ts';
import { assessFleet } from '../src/health/fleet-health.ts';
import { sweep } from '../src/health/sweep.ts';
import { BENCH_ENV, benchFleet } from './bench-fleet.ts';
import { measure, median, mib, secs, verdict } from './bench-stats.ts';
import { rawAgent, rawSweep } from './raw-ceiling.ts';

const PORTS = Number(process.env.BENCH_PORTS ?? 50);
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000').split(',').map(Number);
const RUNS = 3;
const CONCURRENCY = 256;
const TARGET = { tenThousandMs: 3_000, ratio: 0.5, rssBytes: 256 * 1024 * 1024 };

const responder = fork(new URL('./rpc-responder.ts', import.meta.url), {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, PORTS: String(PORTS) },
});
const ports = await new Promise<number[]>((resolve, reject) => {
  responder.once('message', (m) => resolve((m as { ports: number[] }).ports));
  responder.once('exit', (code) => reject(new Error(`responder exited with code ${code} before listening`)));
});
console.log(`responder: ${ports.length} loopback ports in a child process; concurrency ${CONCURRENCY}, median of ${RUNS} runs after a warm-up`);
// RSS is process-wide and rarely shrinks: this is the floor (tsx, zod, undici loaded) every figure includes.
console.log(`RSS before the first sweep: ${mib(process.memoryUsage.rss())}\n`);

for (const eth of SIZES) {
  const fleet = benchFleet(eth, Math.floor(eth / 10), ports);
  const checkers = createCheckers({ env: BENCH_ENV });
  const agent = rawAgent();
  const chainops = async () => {
    const t0 = performance.now();
    const snaps = await sweep(fleet, checkers, { concurrency: CONCURRENCY, timeoutMs: 5_000, now: Date.now });
    const t1 = performance.now();
    const health = assessFleet(fleet, snaps, Date.now());
    return { assessMs: performance.now() - t1, sweepMs: t1 - t0, healthy: health.nodes.filter((n) => n.status === 'healthy').length };
  };
  const raw = () => rawSweep(fleet, agent, CONCURRENCY);

  await chainops(); // warm-up: JIT, sockets, zod schemas
  await raw();
  const ours: Awaited<ReturnType<typeof measure<Awaited<ReturnType<typeof chainops>>>>>[] = [];
  const base: Awaited<ReturnType<typeof measure<number>>>[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await measure(chainops)); // interleaved, so drift on the machine hits both alike
    base.push(await measure(raw));
  }
  await checkers.close();
  await agent.close();

  const nodes = fleet.nodes.length;
  const requests = base[0]?.value ?? 0;
  const oursMs = median(ours.map((r) => r.ms));
  const baseMs = median(base.map((r) => r.ms));
  const ratio = baseMs / oursMs;
  const peakOurs = Math.max(...ours.map((r) => r.rss));
  const peakBase = Math.max(...base.map((r) => r.rss));
  const unhealthy = ours.map((r) => nodes - r.value.healthy).reduce((a, b) => Math.max(a, b), 0);

  console.log(`${eth} eth + ${nodes - eth} bitcoin = ${nodes} nodes, ${requests} HTTP requests per sweep`);
  console.log(`  ChainOps sweep+assess  ${secs(oursMs).padStart(9)}  ${Math.round((requests / oursMs) * 1000).toString().padStart(6)} req/s  (sweep ${secs(median(ours.map((r) => r.value.sweepMs)))}, assessFleet ${secs(median(ours.map((r) => r.value.assessMs)))})  peak RSS ${mib(peakOurs)}`);
  console.log(`  raw undici ceiling     ${secs(baseMs).padStart(9)}  ${Math.round((requests / baseMs) * 1000).toString().padStart(6)} req/s  peak RSS ${mib(peakBase)}`);
  console.log(`  ChainOps = ${(ratio * 100).toFixed(0)} % of raw ceiling   (target ≥ ${TARGET.ratio * 100} %: ${verdict(ratio >= TARGET.ratio)})`);
  if (eth >= 10_000) console.log(`  10 000-node sweep ${secs(oursMs)}   (target ≤ ${secs(TARGET.tenThousandMs)}: ${verdict(oursMs <= TARGET.tenThousandMs)})`);
  console.log(`  peak RSS ${mib(peakOurs)}   (target ≤ ${mib(TARGET.rssBytes)}: ${verdict(peakOurs <= TARGET.rssBytes)})`);
  if (unhealthy) console.log(`  WARNING: ${unhealthy} nodes were not healthy in some run; the figures above include failures`);
  console.log(`  runs (ms): ChainOps ${ours.map((r) => r.ms.toFixed(0)).join(', ')}; raw ${base.map((r) => r.ms.toFixed(0)).join(', ')}\n`);
}

responder.kill();
