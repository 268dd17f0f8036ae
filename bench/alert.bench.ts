// npm run bench:alert — time from a fault on a real ganache node to the alert arriving at the Slack
// stand-in (issue #8, benchmark 3; target ≤ health interval + 2 s). Three ganache nodes, a redis-server,
// and per configuration (bench/alert-lane.ts) a Slack Web API stand-in and one `node bin/chainops.js all`
// process sweeping the three nodes. Each trial waits a random moment within the sweep cycle, then faults
// one node (SIGKILL, restarted on the same port once every configuration has posted its alert; or
// SIGSTOP … SIGCONT), and waits for every resolution before the next trial. Latency = fault instant →
// the stand-in receives the root `chat.postMessage` "FIRING unreachable on eth-N". The baseline is one
// check interval: the earliest a sweep can notice. Prints figures; asserts nothing.
//   ALERT_BENCH_INTERVAL=2s   health.interval      ALERT_BENCH_TRIALS=10   faults
//   ALERT_BENCH_TIMEOUT=1s    health.timeout       ALERT_BENCH_FAULT=kill  kill (SIGKILL + restart) or stop (SIGSTOP + SIGCONT)
import { setTimeout as sleep } from 'node:timers/promises';
import { startGanache, type GanacheHandle } from '../adapters/local/ganache.process.ts';
import { startRedisServer, type RedisServerHandle } from '../adapters/local/redis-server.process.ts';
import { waitFor } from '../adapters/local/wait-for.ts';
import { ALERT_CONFIGS, startLane, type Lane } from './alert-lane.ts';
import { percentile, machine, median, secs } from './bench-stats.ts';

const INTERVAL = process.env.ALERT_BENCH_INTERVAL ?? '2s';
const TIMEOUT = process.env.ALERT_BENCH_TIMEOUT ?? '1s';
const TRIALS = Number(process.env.ALERT_BENCH_TRIALS ?? 10);
const FAULT = process.env.ALERT_BENCH_FAULT === 'stop' ? 'stop' : 'kill';
const NODES = ['eth-1', 'eth-2', 'eth-3'];
const BLOCK_TIME_SEC = 2;

function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(text);
  if (!m) throw new Error(`ALERT_BENCH_INTERVAL / ALERT_BENCH_TIMEOUT: use a duration such as 2s or 500ms, not "${text}"`);
  return Number(m[1]) * { ms: 1, s: 1_000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'];
}
const intervalMs = durationMs(INTERVAL);
const targetMs = intervalMs + 2_000;

interface Sample { latency: number; detect?: number; deliver?: number }

let redis: RedisServerHandle | undefined;
const eth: GanacheHandle[] = [];
const lanes: Lane[] = [];

/** ganache again on the port it had (a killed node comes back where the fleet file says it is). */
async function restart(i: number): Promise<void> {
  const port = eth[i]!.port;
  await eth[i]!.stop();
  for (let attempt = 1; ; attempt++) {
    try {
      eth[i] = await startGanache({ port, blockTimeSec: BLOCK_TIME_SEC });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(500);
    }
  }
}

let stopping: Promise<void> | undefined;
/** The chainops processes first (each says goodbye to Redis), then the nodes, then Redis. Idempotent. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const l of lanes.reverse()) await l.stop();
    for (const g of eth) {
      try {
        process.kill(g.pid, 'SIGCONT');
      } catch {
        // already gone
      }
      await g.stop().catch(() => undefined);
    }
    await redis?.stop().catch(() => undefined);
  })();
  return stopping;
}
// Ctrl-C or SIGTERM mid-run: the same orderly stop (temp dirs included). Another signal a second or more
// later exits at once (a Ctrl-C arrives twice at first: from the terminal and relayed by tsx), and
// killWithParent's 'exit' hook SIGKILLs whatever is left. (`on`, not `once`: while this listener is
// there, killWithParent's own signal handler stands aside.)
let firstSignalAt = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (firstSignalAt && performance.now() - firstSignalAt > 1_000) process.exit(130);
    firstSignalAt ||= performance.now();
    void stopAll().finally(() => process.exit(130));
  });
}

try {
  console.log(`machine: ${machine()}`);
  redis = await startRedisServer({ appendonly: false });
  eth.push(...(await Promise.all(NODES.map(() => startGanache({ blockTimeSec: BLOCK_TIME_SEC })))));
  const urls = Object.fromEntries(NODES.map((n, i) => [n, eth[i]!.url]));
  // Lanes start one after the other: two tsx processes loading at once on 2 cores double each start-up.
  for (const cfg of ALERT_CONFIGS) lanes.push(await startLane(cfg, { redisUrl: redis.url, urls, interval: INTERVAL, timeout: TIMEOUT }));
  // Every lane has judged the healthy fleet a few times before the first fault.
  await waitFor(async () => lanes.every((l) => l.sweepsDone() >= 3), { what: 'three health sweeps in every configuration', timeoutMs: 60_000 + 3 * intervalMs, intervalMs: 100 });
  const how = FAULT === 'kill' ? 'SIGKILL, then restarted on the same port' : `SIGSTOP, then SIGCONT (fails after health.timeout ${TIMEOUT})`;
  console.log(`3 ganache nodes · fault: ${how} · health.interval ${INTERVAL}, health.timeout ${TIMEOUT} · ${TRIALS} trials · one \`chainops all\` process per configuration, side by side`);
  console.log(`target ≤ interval + 2 s = ${secs(targetMs)}; baseline = one check interval = ${secs(intervalMs)}\n`);

  const samples = lanes.map(() => [] as Sample[]);
  const lost = lanes.map(() => 0);
  for (let t = 0; t < TRIALS; t++) {
    const i = t % NODES.length;
    const node = NODES[i]!;
    // A uniform delay puts the fault at a uniform phase of the sweep cycle, whatever the phase now.
    await sleep(Math.random() * intervalMs);
    const t0 = Date.now();
    process.kill(eth[i]!.pid, FAULT === 'kill' ? 'SIGKILL' : 'SIGSTOP');
    const fired = await Promise.all(lanes.map((l) => l.fired(node, t0, l.cfg.consecutive * intervalMs + 30_000)));
    if (FAULT === 'kill') await restart(i);
    else process.kill(eth[i]!.pid, 'SIGCONT');
    const healed = Date.now();
    const resolved = await Promise.all(lanes.map((l, k) => (fired[k] ? l.resolved(String(fired[k].response.ts), 60_000) : undefined)));
    const parts = lanes.map((l, k) => {
      const call = fired[k];
      if (!call) {
        lost[k]!++;
        return `${l.cfg.label}: no alert`;
      }
      const sweep = l.sweepStartBefore(call.at);
      samples[k]!.push({ latency: call.at - t0, ...(sweep !== undefined && sweep >= t0 ? { detect: sweep - t0, deliver: call.at - sweep } : {}) });
      const res = resolved[k] ? `resolved ${secs(resolved[k].at - healed)} after heal` : 'NOT resolved';
      return `${l.cfg.label}: ${secs(call.at - t0)} (${res})`;
    });
    console.log(`trial ${String(t + 1).padStart(2)}  ${node}  ${parts.join('  ·  ')}`);
    // A lane whose alert did not resolve would carry it into the next trial: give it one more chance.
    if (resolved.some((r, k) => fired[k] && !r)) await sleep(5 * intervalMs);
  }

  console.log('\nconfiguration                   n   p50       p95       max       p95/target  p95/interval  sweep wait p50  sweep→post p50  target');
  for (const [k, l] of lanes.entries()) {
    const lat = samples[k]!.map((s) => s.latency);
    if (lat.length === 0) {
      console.log(`${l.cfg.label.padEnd(30)} 0   (no alert arrived in ${TRIALS} trials)`);
      continue;
    }
    const p95 = percentile(lat, 95);
    const col = (ms: number) => secs(ms).padEnd(9);
    const part = (xs: Array<number | undefined>) => {
      const ys = xs.filter((x): x is number => x !== undefined);
      return ys.length ? secs(median(ys)) : '–';
    };
    console.log(`${l.cfg.label.padEnd(30)} ${String(lat.length).padEnd(3)} ${col(percentile(lat, 50))} ${col(p95)} ${col(Math.max(...lat))} ${`${(p95 / targetMs).toFixed(2)}×`.padEnd(11)} ${`${(p95 / intervalMs).toFixed(2)}×`.padEnd(13)} ${part(samples[k]!.map((s) => s.detect)).padEnd(15)} ${part(samples[k]!.map((s) => s.deliver)).padEnd(15)} ${p95 <= targetMs ? 'met' : 'MISSED'} (p95 ${p95 <= targetMs ? '≤' : '>'} ${secs(targetMs)})${lost[k] ? `, ${lost[k]} trial(s) with no alert` : ''}`);
  }
  console.log(`stand-in received: ${lanes.map((l) => {
    const n = l.tally();
    return `${l.cfg.label}: ${n.firing} alerts, ${n.resolved} resolutions, ${n.other} other posts/edits`;
  }).join(' · ')}`);
  const fromTop = TRIALS - Math.ceil(0.95 * TRIALS);
  console.log(`\np95 is the nearest-rank 95th percentile (of ${TRIALS} trials: ${fromTop === 0 ? 'the slowest' : `the ${fromTop + 1}${['', 'nd', 'rd'][fromTop] ?? 'th'} slowest`}). sweep wait = fault → start of the last scheduled`);
  console.log('sweep before the alert (from the worker log); sweep→post = that sweep + any rechecks + alert evaluation + outbox + bot post.');
  console.log('design: consecutive k fires on the k-th failing check; after the first, the node is rechecked every health.recheck');
  console.log('(default 1 s) instead of at the next sweeps, so latency ≈ wait for the next sweep (0…interval) + (k−1)·recheck + post.');
  console.log(`machine at the end: ${machine()}`);
} finally {
  await stopAll();
}
