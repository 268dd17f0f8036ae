// npm run bench:sweep — a ChainOps health sweep (sweep + assessFleet) against the raw ceiling: the
// same HTTP requests replayed by plain undici, measured side by side (interleaved) in the same run
// against a loopback JSON-RPC responder in its own process. Each side of each fleet size runs in a
// process of its own, so its peak RSS is its own. Prints figures and ratios; asserts nothing.
//   BENCH_SIZES=100,1000,10000  Ethereum nodes per size (plus a tenth as many Bitcoin nodes)
//   BENCH_PORTS=50              responder ports
//   BENCH_RUNS                  measured runs per side (default 15 / 7 / 3 below 1 000 / 10 000 / above)
//   BENCH_BLOCK_TXS=160         tx hashes in eth_getBlockByNumber(latest, false); 0 = header-sized
//   BENCH_CHILD_NODE_OPTIONS    extra node flags for both sides (e.g. --max-semi-space-size=4)
//   BENCH_SHARD_NODES=100000    endpoints of the sharded comparison (0 = skip it); BENCH_SHARD_WORKERS=1,2,4
//                               (256 requests in flight in all, split over the workers); MAX_LAG_BLOCKS=5
//                               the bench fleet's lag threshold (the responder's head moves every 12 s)
//   BENCH_COMPILED=1            both sides run compiled JavaScript (as the Docker image runs the worker),
//                               not through tsx: the bench builds it first (tsconfig.bench-build.json)
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median, mib, secs, verdict } from './bench-stats.ts';
import type { RunResult } from './sweep-runner.ts';
import { shardBench } from './sweep-shards.ts';

const PORTS = Number(process.env.BENCH_PORTS ?? 50);
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000').split(',').filter(Boolean).map(Number);
const SHARD_NODES = Number(process.env.BENCH_SHARD_NODES ?? 100_000);
const SHARD_WORKERS = (process.env.BENCH_SHARD_WORKERS ?? '1,2,4').split(',').map(Number);
/** Small sweeps take milliseconds, so more runs keep one hiccup of a busy machine from deciding the median. */
const runsFor = (eth: number) => Number(process.env.BENCH_RUNS ?? (eth < 1_000 ? 15 : eth < 10_000 ? 7 : 3));
const BLOCK_TXS = Number(process.env.BENCH_BLOCK_TXS ?? 160);
const CONCURRENCY = 256;
const TARGET = { tenThousandMs: 3_000, ratio: 0.5, rssBytes: 256 * 1024 * 1024 };
const childFlags = (process.env.BENCH_CHILD_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'chainops-bench-sweep-'));

const COMPILED = process.env.BENCH_COMPILED === '1';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT = join(ROOT, 'node_modules', '.cache', 'chainops-bench-dist');
if (COMPILED) execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bench-build.json', '--outDir', BUILT], { cwd: ROOT, stdio: 'inherit' });

function start(script: string, env: Record<string, string>, flags: string[] = []): ChildProcess {
  const opts = { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[] };
  // The measured sides only: the responder stays under tsx either way.
  if (COMPILED && script === './sweep-runner.ts') return fork(join(BUILT, 'bench', 'sweep-runner.js'), { ...opts, execArgv: flags });
  return fork(new URL(script, import.meta.url), { ...opts, execArgv: ['--import', 'tsx', ...flags] });
}

/** The next IPC message from `child` that has `key`. */
function next<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`child exited (code ${code}) while waiting for ${key}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const run = async (child: ChildProcess): Promise<RunResult> => {
  const reply = next<{ result: RunResult }>(child, 'result');
  child.send({ run: true });
  return (await reply).result;
};

const responder = start('./rpc-responder.ts', { PORTS: String(PORTS), BLOCK_TXS: String(BLOCK_TXS) });
const { ports } = await next<{ ports: number[] }>(responder, 'ports');
console.log(`machine: ${machine()}`);
if (COMPILED) console.log('both sides run compiled JavaScript (no tsx loader), as the Docker image runs the worker');
console.log(`responder: ${ports.length} loopback ports in a child process, blocks with ${BLOCK_TXS} tx hashes; concurrency ${CONCURRENCY}; ${process.env.BENCH_RUNS ?? '15/7/3 (below 1 000 / 10 000 / from 10 000 nodes)'} interleaved runs per side after a warm-up; each side in its own process${childFlags.length ? ` (${childFlags.join(' ')})` : ''}\n`);

try {
  for (const eth of SIZES) {
    const recording = join(dir, `requests-${eth}.json`);
    const env = { ETH: String(eth), PORTS_JSON: JSON.stringify(ports), CONCURRENCY: String(CONCURRENCY), RECORDING: recording };
    const flags = ['--expose-gc', ...childFlags];
    const ours = start('./sweep-runner.ts', { ...env, MODE: 'chainops' }, flags);
    const oursReady = await next<{ rss: number; exactPeak: boolean }>(ours, 'ready');
    // Warm-up of ChainOps, recorded: the raw side replays exactly these requests.
    const recordingStarted = next(responder, 'recording');
    responder.send({ record: recording });
    await recordingStarted;
    const warm = await run(ours);
    const recorded = next<{ recorded: number }>(responder, 'recorded');
    responder.send({ stop: true });
    const { recorded: requests } = await recorded;
    const raw = start('./sweep-runner.ts', { ...env, MODE: 'raw' }, flags);
    const rawReady = await next<{ rss: number }>(raw, 'ready');
    await run(raw); // warm-up
    const a: RunResult[] = [];
    const b: RunResult[] = [];
    for (let i = 0; i < runsFor(eth); i++) {
      a.push(await run(ours)); // interleaved, so drift on the machine hits both alike
      b.push(await run(raw));
    }
    for (const c of [ours, raw]) c.send({ exit: true });

    const nodes = warm.nodes;
    const oursMs = median(a.map((r) => r.ms));
    const baseMs = median(b.map((r) => r.ms));
    const ratio = baseMs / oursMs;
    const peakOurs = Math.max(warm.peakRss, ...a.map((r) => r.peakRss));
    const peakBase = Math.max(...b.map((r) => r.peakRss));
    const unhealthy = Math.max(nodes - warm.healthy, ...a.map((r) => nodes - r.healthy));
    const live = a.map((r) => r.heapLiveAfterGc ?? Number.NaN);

    console.log(`${eth} eth + ${nodes - eth} bitcoin = ${nodes} nodes, ${requests} HTTP requests per sweep`);
    console.log(`  ChainOps sweep+assess  ${secs(oursMs).padStart(9)}  ${Math.round((requests / oursMs) * 1000).toString().padStart(6)} req/s  (sweep ${secs(median(a.map((r) => r.sweepMs)))}, assessFleet ${secs(median(a.map((r) => r.assessMs)))})`);
    console.log(`  raw undici replay      ${secs(baseMs).padStart(9)}  ${Math.round((requests / baseMs) * 1000).toString().padStart(6)} req/s`);
    console.log(`  ChainOps = ${(ratio * 100).toFixed(0)} % of raw ceiling   (target ≥ ${TARGET.ratio * 100} %: ${verdict(ratio >= TARGET.ratio)})`);
    if (eth >= 10_000) console.log(`  10 000-node sweep ${secs(oursMs)}   (target ≤ ${secs(TARGET.tenThousandMs)}: ${verdict(oursMs <= TARGET.tenThousandMs)})`);
    console.log(`  peak RSS: ChainOps process ${mib(peakOurs)} (${mib(oursReady.rss)} before its first sweep), raw process ${mib(peakBase)} (${mib(rawReady.rss)} before)   (target ≤ ${mib(TARGET.rssBytes)}: ${verdict(peakOurs <= TARGET.rssBytes)})${oursReady.exactPeak ? '' : ' [sampled every 5 ms: VmHWM reset not allowed here]'}`);
    console.log(`  ChainOps heap after a run: ${mib(median(a.map((r) => r.heapTotal)))} reserved, ${mib(median(a.map((r) => r.heapUsed)))} used, ${mib(median(live))} live after GC; external ${mib(median(a.map((r) => r.external)))} (array buffers ${mib(median(a.map((r) => r.arrayBuffers)))})`);
    if (unhealthy) console.log(`  WARNING: ${unhealthy} nodes were not healthy in some run; the figures above include failures`);
    console.log(`  runs (ms): ChainOps ${a.map((r) => r.ms.toFixed(0)).join(', ')}; raw ${b.map((r) => r.ms.toFixed(0)).join(', ')}\n`);
  }
  if (SHARD_NODES > 0) await shardBench({ ports, nodes: SHARD_NODES, workers: SHARD_WORKERS, runs: Number(process.env.BENCH_SHARD_RUNS ?? 2), concurrency: CONCURRENCY });
} finally {
  responder.kill();
  rmSync(dir, { recursive: true, force: true });
}
