import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisRolloutStore } from '../../adapters/redis/redis-rollout.store.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { clientVersion, DEMO_PLAYBOOK, startDemoHosts, type DemoHosts } from '../helpers/demo-hosts.ts';
import { runCli } from '../helpers/run-cli.ts';

// Failure and recovery on real sshd hosts with real ansible-playbook and ganache releases, through
// the real worker processes and the console adapter: a broken release stopped at the canary and rolled
// back, and a worker SIGKILLed mid-rollout whose work another worker finishes.
const OLD = '7.9.1';
const NEW = '7.9.2';
const BROKEN = '7.9.3-broken'; // a release whose binary is really 7.9.1: the canary gate must catch it

let redis: RedisServerHandle;
let hosts: DemoHosts;
let env: Record<string, string>;
let workers: BotProcess[] = [];
let conn: Redis;
let rollouts: RedisRolloutStore;
let playbookCopy: string;

before(async () => {
  redis = await startRedisServer({ appendonly: false });
  hosts = await startDemoHosts({ count: 3, version: OLD, releases: [OLD, NEW], mislabelled: { [BROKEN]: OLD } });
  const dir = join(hosts.dir, 'fleet');
  mkdirSync(join(dir, 'files'), { recursive: true });
  // The playbook lives next to the fleet file, so a test can edit it between request and approval.
  playbookCopy = join(dir, 'upgrade.yml');
  copyFileSync(DEMO_PLAYBOOK, playbookCopy);
  copyFileSync(join(DEMO_PLAYBOOK, '../files/demo-nodectl.sh'), join(dir, 'files/demo-nodectl.sh'));
  writeFileSync(join(dir, 'chainops.yaml'), `
version: 1
name: rollout-e2e
environments:
  prod:
    thresholds: { max_lag_blocks: 100000000, min_peers: 0 }
    approval: { required: 1, self_approval: false, expires: 30m }
groups:
  demo:
    chain: ethereum
    network: dev
    client: ganache
    desired_version: ${NEW}
    rpc: { kind: eth }
    playbook: upgrade.yml
nodes:
${hosts.nodesYaml('demo', 'prod')}
rollout:
  waves: [1, "50%", "100%"]
  max_unavailable: 1
  health_gate: { consecutive: 2, interval: 300ms, timeout: 8s }
health: { interval: 2s, timeout: 2s }
roles:
  operator: { console: [carol] }
  approver: { console: [bob] }
`);
  env = {
    REDIS_URL: redis.url,
    CHAINOPS_CONFIG: join(dir, 'chainops.yaml'),
    CHAINOPS_PREFIX: `rr-${randomUUID().slice(0, 8)}`,
    CHAINOPS_SSH_KEY_FILE: hosts.keyFile,
    CHAINOPS_LEASE_MS: '3000',
    CHAINOPS_JOB_LOCK_MS: '4000',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  conn = new Redis(redis.url);
  rollouts = new RedisRolloutStore(conn, { prefix: env['CHAINOPS_PREFIX']! });
  workers.push(await startBotProcess('worker', { ...env, LOG_LEVEL: 'info' }));
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  conn?.disconnect();
  await hosts?.stop();
  await redis?.stop();
});

async function as(user: string, line: string): Promise<string> {
  const res = await runCli(['console', '--as', user, '--exec', line], env);
  return res.stdout + res.stderr;
}

function idIn(text: string, prefix: string): string {
  const m = new RegExp(`\\b${prefix}-[a-z0-9]{4,32}\\b`).exec(text);
  assert.ok(m, `no ${prefix}- id in:\n${text}`);
  return m[0];
}

async function until(id: string, done: (r: RolloutRecord) => boolean, what: string, timeoutMs = 400_000): Promise<RolloutRecord> {
  let last: RolloutRecord | undefined;
  try {
    return await waitFor(async () => {
      last = await rollouts.get(id);
      return last && done(last) ? last : undefined;
    }, { what: `${id}: ${what}`, timeoutMs, intervalMs: 200 });
  } catch (err) {
    const log = await rollouts.tailLog(id, 40);
    throw new Error(`${(err as Error).message}\nrecord: ${JSON.stringify(last, null, 1)}\nlog:\n${log.join('\n')}\nworker stderr:\n${workers.map((w) => w.stderr().slice(-2000)).join('\n---\n')}`);
  }
}

async function versions(): Promise<string[]> {
  return Promise.all(hosts.hosts.map(async (h) => /Ganache\/v([\d.]+)/.exec((await clientVersion(h.rpcUrl)) ?? '')?.[1] ?? 'down'));
}

/** Request as carol, approve as bob; returns the rollout id. */
async function approvedUpgrade(version: string): Promise<string> {
  const asked = await as('carol', `upgrade demo ${version} --env prod`);
  const approval = idIn(asked, 'ap');
  const approved = await as('bob', `approve ${approval}`);
  return idIn(approved, 'up');
}

test('a broken release fails the canary gate: rollout halts, nothing beyond the canary touched, rollback restores the old version', async () => {
  const id = await approvedUpgrade(BROKEN);
  const rec = await until(id, (r) => r.status === 'halted' || r.status === 'done' || r.status === 'failed', 'halted');
  assert.equal(rec.status, 'halted');
  const canary = rec.nodes.find((n) => n.wave === 0)!;
  assert.equal(canary.state, 'failed');
  assert.match(canary.detail ?? '', /reports version 7\.9\.1, want 7\.9\.3-broken/);
  assert.ok(rec.nodes.filter((n) => n.wave > 0).every((n) => n.runs === 0 && n.state === 'pending'), 'no node beyond the canary was touched');
  const vs = await versions();
  assert.deepEqual(vs.filter((_, i) => hosts.hosts[i]!.name !== canary.name), Array(hosts.hosts.length - 1).fill(OLD));

  const rb = await as('carol', `rollout rollback ${id}`);
  const rbId = idIn(rb, 'rb');
  const back = await until(rbId, (r) => r.status === 'done' || r.status === 'halted' || r.status === 'failed', 'rolled back');
  assert.equal(back.status, 'done', JSON.stringify(back));
  assert.deepEqual(back.nodes.map((n) => [n.name, n.to]), [[canary.name, OLD]]);
  assert.deepEqual(await versions(), Array(hosts.hosts.length).fill(OLD));
  assert.equal((await rollouts.get(id))?.status, 'rolled-back');
});

test('a worker SIGKILLed mid-rollout: another worker continues from the checkpoint and no finished node is repeated', async () => {
  workers.push(await startBotProcess('worker', { ...env, LOG_LEVEL: 'info' }));
  const id = await approvedUpgrade(NEW);
  // Kill the owner once the canary is done and a later node is in flight.
  const mid = await until(id, (r) => r.nodes.some((n) => n.state === 'done') && r.nodes.some((n) => n.state === 'upgrading' || n.state === 'gating'), 'mid-rollout');
  const owner = workers.find((w) => mid.owner?.includes(`-${w.pid}-`));
  assert.ok(owner, `owner ${mid.owner} is one of our workers`);
  process.kill(owner.pid, 'SIGKILL');
  const doneBefore = new Set(mid.nodes.filter((n) => n.state === 'done').map((n) => n.name));

  const rec = await until(id, (r) => r.status === 'done' || r.status === 'halted' || r.status === 'failed', 'finished after takeover');
  assert.equal(rec.status, 'done', JSON.stringify(rec, null, 1));
  assert.ok(rec.resumes >= 1, 'the rollout was resumed from its checkpoint');
  assert.notEqual(rec.owner, mid.owner);
  for (const n of rec.nodes) {
    if (doneBefore.has(n.name)) assert.equal(n.runs, 1, `${n.name} finished before the kill and must not run again`);
    else assert.ok(n.runs <= 2, `${n.name} ran ${n.runs} times`);
  }
  assert.deepEqual(await versions(), Array(hosts.hosts.length).fill(NEW));
  const log = (await rollouts.tailLog(id, 5_000)).join('\n');
  assert.match(log, /took over from the checkpoint/);
});

