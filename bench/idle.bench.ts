// npm run bench:idle — resident memory of an idle bot and an idle worker, each started as a real
// process (`node bin/chainops.js bot|worker`) against a redis-server the bench starts (the bot on
// Slack over HTTP, pointed at the stand-in; the worker sweeping a small fleet on its schedule), side by
// side with the baselines: a bare `node -e` holding one ioredis connection, and the same under the tsx
// loader that bin/chainops.js uses. The same bot and worker compiled to JavaScript (`npm run build`,
// `node dist/src/main/cli.js`, as the Docker image runs them) are watched beside them: the bench builds
// dist/ first. Samples /proc every second. Prints figures; asserts nothing.
//   BENCH_IDLE_SECONDS=30   how long to watch after everything is up
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../adapters/local/free-port.ts';
import { startRedisServer } from '../adapters/local/redis-server.process.ts';
import { waitFor, waitForExit } from '../adapters/local/wait-for.ts';
import { machine, median, mib, procRss, verdict } from './bench-stats.ts';

const SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const TARGET_BYTES = 150 * 1024 * 1024;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'xoxb-bench-idle-token';
const FLEET = `
version: 1
name: bench-idle
environments:
  dev: { approval: { required: 0 } }
  prod: { approval: { required: 1 } }
groups:
  eth-devnet: { chain: ethereum, network: devnet, client: geth, desired_version: 1.14.3, rpc: { kind: eth } }
  ltc-regtest: { chain: litecoin, network: regtest, client: litecoind, desired_version: 0.21.2.1, rpc: { kind: bitcoin } }
nodes:
  - { name: eth-1, group: eth-devnet, env: prod, rpc_url: "http://127.0.0.1:9/" }
  - { name: eth-2, group: eth-devnet, env: prod, rpc_url: "http://127.0.0.1:9/" }
  - { name: eth-3, group: eth-devnet, env: prod, rpc_url: "http://127.0.0.1:9/" }
  - { name: ltc-1, group: ltc-regtest, env: dev, rpc_url: "http://127.0.0.1:9/" }
  - { name: ltc-2, group: ltc-regtest, env: dev, rpc_url: "http://127.0.0.1:9/" }
health: { interval: 10s, timeout: 1s }
roles:
  viewer: { slack: [T0STANDIN/U0BENCH] }
`;
/** The baseline: one ioredis connection kept alive, nothing else. */
const HOLD_REDIS = "import { Redis } from 'ioredis'; const r = new Redis(process.env.REDIS_URL); await r.ping(); setInterval(() => void r.ping(), 10_000);";

const dir = mkdtempSync(join(tmpdir(), 'chainops-bench-idle-'));
const children: ChildProcess[] = [];
const redis = await startRedisServer({ appendonly: false });
execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });

function run(name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const log = openSync(join(dir, `${name}.log`), 'w');
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', log, log], env: { ...process.env, REDIS_URL: redis.url, ...env } });
  children.push(child);
  return child;
}

try {
  const standIn = fork(new URL('./slack-stand-in.child.ts', import.meta.url), { execArgv: ['--import', 'tsx'], env: { ...process.env, SLACK_BOT_TOKEN: TOKEN } });
  children.push(standIn);
  const { url: apiUrl } = await new Promise<{ url: string }>((resolve) => standIn.once('message', (m) => resolve(m as { url: string })));
  writeFileSync(join(dir, 'chainops.yaml'), FLEET);
  const common = { CHAINOPS_CONFIG: join(dir, 'chainops.yaml'), CHAINOPS_PREFIX: 'bench-idle' };
  // The compiled pair on a prefix of its own, so each worker sweeps on its own schedule.
  const dist = { ...common, CHAINOPS_PREFIX: 'bench-idle-dist' };
  const port = await freePort();
  const distPort = await freePort();
  const procs = [
    { name: 'node -e + ioredis (baseline)', child: run('baseline', ['--input-type=module', '-e', HOLD_REDIS]) },
    { name: 'node --import tsx -e + ioredis', child: run('baseline-tsx', ['--import', 'tsx', '--input-type=module', '-e', HOLD_REDIS]) },
    { name: 'chainops bot (Slack HTTP)', child: run('bot', ['bin/chainops.js', 'bot'], { ...common, PORT: String(port), SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'bench-idle-secret', SLACK_API_URL: apiUrl }), target: true },
    { name: 'chainops worker', child: run('worker', ['bin/chainops.js', 'worker'], common), target: true },
    { name: 'chainops bot, compiled (dist/)', child: run('bot-dist', ['dist/src/main/cli.js', 'bot'], { ...dist, PORT: String(distPort), SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'bench-idle-secret', SLACK_API_URL: apiUrl }), target: true },
    { name: 'chainops worker, compiled (dist/)', child: run('worker-dist', ['dist/src/main/cli.js', 'worker'], { ...dist, METRICS_PORT: '0' }), target: true },
  ];
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, { what: 'the bot to serve /healthz', timeoutMs: 60_000, intervalMs: 200 });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${distPort}/healthz`)).ok, { what: 'the compiled bot to serve /healthz', timeoutMs: 60_000, intervalMs: 200 });
  for (const w of ['worker', 'worker-dist']) {
    await waitFor(async () => /health sweeps scheduled/.test(readFileSync(join(dir, `${w}.log`), 'utf8')), { what: `${w} to schedule its sweeps`, timeoutMs: 60_000, intervalMs: 200 });
  }
  for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited: ${readFileSync(join(dir, `${p.name.split(' ')[0]}.log`), 'utf8').slice(-500)}`);

  console.log(`machine: ${machine()}`);
  console.log(`watching for ${SECONDS} s after start-up (the worker sweeps its 5 nodes every 10 s)\n`);
  const samples = procs.map(() => [] as number[]);
  for (let s = 0; s < SECONDS; s++) {
    await new Promise((r) => setTimeout(r, 1_000));
    procs.forEach((p, i) => samples[i]!.push(procRss(p.child.pid!).rss));
  }
  const base = median(samples[0]!);
  for (const [i, p] of procs.entries()) {
    const settled = median(samples[i]!.slice(-10));
    const peak = procRss(p.child.pid!).peak;
    const line = `${p.name.padEnd(32)} RSS ${mib(settled).padStart(7)} (settled)   max ${mib(Math.max(...samples[i]!)).padStart(7)}   peak since start ${mib(peak).padStart(7)}   ${(settled / base).toFixed(1)}× baseline`;
    const max = Math.max(...samples[i]!);
    console.log(p.target ? `${line}   (target ≤ ${mib(TARGET_BYTES)} while idle: ${verdict(max <= TARGET_BYTES)})` : line);
  }
} finally {
  // Children first, each waited for (SIGKILL after 10 s), and only then Redis.
  await Promise.all(children.reverse().map((c) => {
    c.kill('SIGTERM');
    return waitForExit(c, 10_000);
  }));
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
