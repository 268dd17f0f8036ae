// npm run bench:ack — slash-command acknowledgement latency through the Slack HTTP endpoint: the
// real bot (`node bin/chainops.js bot`, real Redis, Slack stand-in) against a bare Bolt app that only
// acks, both hit with the same signed `/chainops` requests by 100 concurrent clients, interleaved
// rounds in the same run. Prints p50/p99 and the ratio; asserts nothing.
// Two loads per app: "100 concurrent" (closed loop, as autocannon -c 100: each client sends its next
// request as soon as it has an answer — this measures the app saturated) and "paced" (open loop at
// BENCH_RATE requests/s, latency counted from the intended send time, so queueing is not hidden).
//   BENCH_REQUESTS=2000 per closed round   BENCH_ROUNDS=3 per app   BENCH_CONCURRENCY=100
//   BENCH_RATE=100 req/s for BENCH_PACED_SECONDS=10 per paced round
//   BENCH_TEXTS=help,status  the commands sent, in turn (default: a mix of help, status and nodes)
//   BENCH_BOT_NODE_OPTIONS   extra node flags for the bot (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof)
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { freePort } from '../adapters/local/free-port.ts';
import { startRedisServer } from '../adapters/local/redis-server.process.ts';
import { waitFor, waitForExit } from '../adapters/local/wait-for.ts';
import { formBody, slackSignature } from '../test/helpers/slack-sign.ts';
import { slashCommandFields } from '../test/stand-ins/slack-payloads.ts';
import { machine, mib, percentile, procRss, verdict } from './bench-stats.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const TARGET = { p99Ms: 50, ratio: 1.5 };
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'bench-signing-secret-4b7e';
const TOKEN = 'xoxb-bench-0000-token';
/** What people type most: reads. `status` and `nodes` make the bot check nodes (refused at once here). */
const TEXTS = process.env.BENCH_TEXTS?.split(',') ?? ['help', 'status', 'help', 'nodes', 'help', 'status --env dev', 'help upgrade', 'nodes eth-devnet'];
const FLEET = `
version: 1
name: bench-ack
environments:
  dev: { approval: { required: 0 } }
  prod: { approval: { required: 1 } }
groups:
  eth-devnet: { chain: ethereum, network: devnet, client: geth, desired_version: 1.14.3, rpc: { kind: eth } }
  ltc-regtest: { chain: litecoin, network: regtest, client: litecoind, desired_version: 0.21.2.1, rpc: { kind: bitcoin } }
nodes:
  - { name: eth-1, group: eth-devnet, env: prod, rpc_url: "http://127.0.0.1:9/" }
  - { name: eth-2, group: eth-devnet, env: prod, rpc_url: "http://127.0.0.1:9/" }
  - { name: ltc-1, group: ltc-regtest, env: dev, rpc_url: "http://127.0.0.1:9/" }
health: { timeout: 1s }
roles:
  viewer: { slack: [T0STANDIN/U0BENCH] }
`;

function next<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ${key}`)));
  });
}

interface Signed { body: string; headers: Record<string, string> }

function signedRequests(n: number, responseUrl: string): Signed[] {
  const ts = Math.floor(Date.now() / 1000);
  return Array.from({ length: n }, (_, i) => {
    const body = formBody(slashCommandFields({ text: TEXTS[i % TEXTS.length]!, user: 'U0BENCH', responseUrl, trigger: `${Date.now()}.${randomUUID()}` }));
    return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SECRET, body, ts) } };
  });
}

/** `CONCURRENCY` clients in a closed loop until every request is sent; latency = send → whole answer read. */
async function round(pool: Pool, reqs: Signed[]): Promise<{ latencies: number[]; ms: number; bad: number }> {
  const latencies: number[] = [];
  let bad = 0;
  let i = 0;
  const t0 = performance.now();
  const client = async () => {
    while (i < reqs.length) {
      const r = reqs[i++]!;
      const start = performance.now();
      const res = await pool.request({ path: '/slack/events', method: 'POST', headers: r.headers, body: r.body });
      await res.body.arrayBuffer();
      latencies.push(performance.now() - start);
      if (res.statusCode !== 200) bad++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  return { latencies, ms: performance.now() - t0, bad };
}

/** Open loop: request i is due at t0 + i/RATE whatever came back; latency runs from that due time. */
async function paced(pool: Pool, reqs: Signed[]): Promise<{ latencies: number[]; bad: number }> {
  const latencies: number[] = [];
  let bad = 0;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (const [i, r] of reqs.entries()) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    inflight.push((async () => {
      const res = await pool.request({ path: '/slack/events', method: 'POST', headers: r.headers, body: r.body });
      await res.body.arrayBuffer();
      latencies.push(performance.now() - due);
      if (res.statusCode !== 200) bad++;
    })());
  }
  await Promise.all(inflight);
  return { latencies, bad };
}

const dir = mkdtempSync(join(tmpdir(), 'chainops-bench-ack-'));
const children: ChildProcess[] = [];
const redis = await startRedisServer({ appendonly: false });
try {
  const standIn = fork(new URL('./slack-stand-in.child.ts', import.meta.url), { execArgv: ['--import', 'tsx'], env: { ...process.env, SLACK_BOT_TOKEN: TOKEN } });
  children.push(standIn);
  const { url: apiUrl, responseUrl } = await next<{ url: string; responseUrl: string }>(standIn, 'url');
  const slackEnv = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: apiUrl };

  const barePort = await freePort();
  const bare = fork(new URL('./bare-bolt.app.ts', import.meta.url), { execArgv: ['--import', 'tsx'], env: { ...process.env, ...slackEnv, PORT: String(barePort) } });
  children.push(bare);
  await next(bare, 'ready');

  const botPort = await freePort();
  writeFileSync(join(dir, 'chainops.yaml'), FLEET);
  const log = openSync(join(dir, 'bot.log'), 'w');
  const botFlags = (process.env.BENCH_BOT_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const bot = spawn(process.execPath, [...botFlags, 'bin/chainops.js', 'bot'], {
    cwd: ROOT,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...slackEnv, REDIS_URL: redis.url, CHAINOPS_CONFIG: join(dir, 'chainops.yaml'), CHAINOPS_PREFIX: 'bench-ack', PORT: String(botPort) },
  });
  children.push(bot);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${botPort}/healthz`)).ok, { what: 'the bot to serve /healthz', timeoutMs: 60_000, intervalMs: 200 });

  const apps = [
    { name: 'bare Bolt app (ack only)', pid: bare.pid!, pool: new Pool(`http://127.0.0.1:${barePort}`, { connections: CONCURRENCY, pipelining: 1 }), samples: [] as number[], p99s: [] as number[], rps: [] as number[], pacedSamples: [] as number[], bad: 0 },
    { name: 'ChainOps bot', pid: bot.pid!, pool: new Pool(`http://127.0.0.1:${botPort}`, { connections: CONCURRENCY, pipelining: 1 }), samples: [] as number[], p99s: [] as number[], rps: [] as number[], pacedSamples: [] as number[], bad: 0 },
  ];
  console.log(`machine: ${machine()}`);
  console.log(`signed /chainops requests (${[...new Set(TEXTS)].join(', ')}); per app ${ROUNDS} rounds of ${REQUESTS} requests from ${CONCURRENCY} concurrent clients and ${ROUNDS} paced rounds of ${RATE} req/s for ${PACED_SECONDS} s, after a warm-up, apps interleaved\n`);
  for (const app of apps) await round(app.pool, signedRequests(Math.min(REQUESTS, 1_000), responseUrl)); // warm-up
  console.log('warm-up done');
  for (let k = 0; k < ROUNDS; k++) {
    for (const app of apps) {
      const r = await round(app.pool, signedRequests(REQUESTS, responseUrl));
      console.log(`  round ${k + 1} ${app.name}: ${CONCURRENCY} concurrent p50 ${percentile(r.latencies, 50).toFixed(1)} ms, p99 ${percentile(r.latencies, 99).toFixed(1)} ms, ${Math.round((r.latencies.length / r.ms) * 1000)} req/s`);
      app.samples.push(...r.latencies);
      app.p99s.push(percentile(r.latencies, 99));
      app.rps.push((r.latencies.length / r.ms) * 1000);
      app.bad += r.bad;
    }
    for (const app of apps) {
      const r = await paced(app.pool, signedRequests(RATE * PACED_SECONDS, responseUrl));
      console.log(`  round ${k + 1} ${app.name}: paced ${RATE} req/s p50 ${percentile(r.latencies, 50).toFixed(1)} ms, p99 ${percentile(r.latencies, 99).toFixed(1)} ms`);
      app.pacedSamples.push(...r.latencies);
      app.bad += r.bad;
    }
  }
  const countCalls = async () => {
    const reply = next<{ calls: Record<string, number> }>(standIn, 'calls');
    standIn.send({ count: true });
    return (await reply).calls;
  };
  const answered = (c: Record<string, number>) => (c['response_url'] ?? 0) + (c['chat.postMessage'] ?? 0);
  const rssAtEnd = apps.map((a) => procRss(a.pid).rss);
  // The acks are done; the bot may still be answering (posts to one channel go one at a time). Wait
  // until its answers stop coming, then read its memory again.
  const drainStart = performance.now();
  let calls = await countCalls();
  for (let still = 0; still < 3 && performance.now() - drainStart < 180_000;) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = await countCalls();
    still = answered(now) === answered(calls) ? still + 1 : 0;
    calls = now;
  }
  const drainMs = performance.now() - drainStart;
  const sent = Math.min(REQUESTS, 1_000) + ROUNDS * (REQUESTS + RATE * PACED_SECONDS);

  console.log(`\n${CONCURRENCY} concurrent clients (closed loop):`);
  for (const app of apps) {
    const s = app.samples;
    console.log(`  ${app.name.padEnd(26)} p50 ${percentile(s, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(s, 99).toFixed(1).padStart(6)} ms   max ${Math.max(...s).toFixed(0).padStart(5)} ms   ${Math.round(app.rps.reduce((a, b) => a + b, 0) / app.rps.length)} req/s   p99 per round ${app.p99s.map((x) => x.toFixed(0)).join('/')} ms   RSS at the end ${mib(rssAtEnd[apps.indexOf(app)]!)}, after answering ${mib(procRss(app.pid).rss)}, peak ${mib(procRss(app.pid).peak)}${app.bad ? `   ${app.bad} answers were not 200!` : ''}`);
  }
  console.log(`paced, ${RATE} req/s (open loop, latency from the intended send time):`);
  for (const app of apps) {
    const s = app.pacedSamples;
    console.log(`  ${app.name.padEnd(26)} p50 ${percentile(s, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(s, 99).toFixed(1).padStart(6)} ms   max ${Math.max(...s).toFixed(0).padStart(5)} ms`);
  }
  const [base, ours] = apps as [typeof apps[0], typeof apps[0]];
  const pacedP99 = percentile(ours.pacedSamples, 99);
  console.log(`\npaced: ChainOps p99 ${pacedP99.toFixed(1)} ms, ${(pacedP99 / percentile(base.pacedSamples, 99)).toFixed(2)}× the bare app's`);
  const p99 = percentile(ours.samples, 99);
  const ratio = p99 / percentile(base.samples, 99);
  console.log(`${CONCURRENCY} concurrent: ChainOps p99 ${p99.toFixed(1)} ms   (target ≤ ${TARGET.p99Ms} ms: ${verdict(p99 <= TARGET.p99Ms)}; Slack's limit is 3 000 ms)`);
  console.log(`ChainOps p99 / bare p99 = ${ratio.toFixed(2)}×   (target ≤ ${TARGET.ratio}×: ${verdict(ratio <= TARGET.ratio)});  p50 ratio ${(percentile(ours.samples, 50) / percentile(base.samples, 50)).toFixed(2)}×`);
  console.log(`the bot's work behind the acks, as the Slack stand-in saw it: ${Object.entries(calls).map(([m, n]) => `${m} ${n}`).join(', ')} — ${answered(calls)} answers to ${sent} requests, the last ${(drainMs / 1000).toFixed(0)} s after the last ack`);
  for (const app of apps) await app.pool.close();
} finally {
  // Children first, each waited for (SIGKILL after 10 s), and only then Redis: a bot asked to stop
  // while its Redis is gone does not exit (see BENCHMARKS.md).
  await Promise.all(children.reverse().map((c) => {
    c.kill('SIGTERM');
    return waitForExit(c, 10_000);
  }));
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
