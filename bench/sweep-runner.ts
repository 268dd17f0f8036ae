// Child process of bench/sweep.bench.ts: runs one side of the comparison — ChainOps sweeps
// (MODE=chainops) or the raw replay (MODE=raw) — for one fleet size, one run per IPC `{ run: true }`.
// One process per side and size, so each peak RSS belongs to that work alone (VmHWM, reset per run).
import { createCheckers } from '../adapters/rpc/checker-registry.ts';
import { assessFleet } from '../src/health/fleet-health.ts';
import { sweep } from '../src/health/sweep.ts';
import { BENCH_ENV, benchFleet } from './bench-fleet.ts';
import { procRss, resetPeakRss, trackPeakRss } from './bench-stats.ts';
import { loadRecording, rawAgent, rawSweep } from './raw-ceiling.ts';

export interface RunResult {
  ms: number;
  sweepMs: number;
  assessMs: number;
  nodes: number;
  healthy: number;
  requests: number;
  /** Peak RSS during this run (bytes). */
  peakRss: number;
  /** RSS right after the run. */
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Heap still in use after a full GC (needs --expose-gc): what the run really keeps. */
  heapLiveAfterGc?: number;
}

const mode = process.env.MODE as 'chainops' | 'raw';
const eth = Number(process.env.ETH);
const ports = JSON.parse(process.env.PORTS_JSON ?? '[]') as number[];
const concurrency = Number(process.env.CONCURRENCY ?? 256);
const gc = (globalThis as { gc?: () => void }).gc;

const fleet = benchFleet(eth, Math.floor(eth / 10), ports);
const checkers = mode === 'chainops' ? createCheckers({ env: BENCH_ENV }) : undefined;
const agent = mode === 'raw' ? rawAgent() : undefined;
let recorded: ReturnType<typeof loadRecording> | undefined;

async function once(): Promise<Omit<RunResult, 'peakRss' | 'rss' | 'heapTotal' | 'heapUsed' | 'external' | 'arrayBuffers'>> {
  const t0 = performance.now();
  if (mode === 'raw') {
    recorded ??= loadRecording(process.env.RECORDING!);
    const requests = await rawSweep(recorded, agent!, concurrency);
    return { ms: performance.now() - t0, sweepMs: performance.now() - t0, assessMs: 0, nodes: recorded.length, healthy: recorded.length, requests };
  }
  const snaps = await sweep(fleet, checkers!, { concurrency, timeoutMs: 5_000, now: Date.now });
  const t1 = performance.now();
  const health = assessFleet(fleet, snaps, Date.now());
  const t2 = performance.now();
  return { ms: t2 - t0, sweepMs: t1 - t0, assessMs: t2 - t1, nodes: fleet.nodes.length, healthy: health.nodes.filter((n) => n.status === 'healthy').length, requests: 0 };
}

process.on('message', (m: { run?: boolean; exit?: boolean }) => {
  if (m.exit) {
    void Promise.all([checkers?.close(), agent?.close()]).finally(() => process.exit(0));
    return;
  }
  if (!m.run) return;
  const exact = resetPeakRss();
  const sampled = exact ? undefined : trackPeakRss(5);
  void once().then((r) => {
    const mem = process.memoryUsage();
    const peak = exact ? procRss().peak : sampled!.stop();
    let heapLiveAfterGc: number | undefined;
    if (gc) {
      gc();
      heapLiveAfterGc = process.memoryUsage().heapUsed;
    }
    const result: RunResult = { ...r, peakRss: peak, rss: mem.rss, heapTotal: mem.heapTotal, heapUsed: mem.heapUsed, external: mem.external, arrayBuffers: mem.arrayBuffers, ...(heapLiveAfterGc === undefined ? {} : { heapLiveAfterGc }) };
    process.send?.({ result });
  });
});
process.send?.({ ready: true, rss: procRss().rss, exactPeak: resetPeakRss() });
process.on('disconnect', () => process.exit(0));
