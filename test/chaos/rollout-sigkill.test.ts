import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisRolloutStore } from '../../adapters/redis/redis-rollout.store.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';
import { RedisStateStore } from '../../adapters/redis/redis-state.store.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { clientVersion, DEMO_PLAYBOOK, startDemoHosts, type DemoHosts } from '../../adapters/local/demo-hosts.ts';
import { consoleAs } from '../helpers/run-cli.ts';

// Issue #8, chaos 1: the worker running a rollout is SIGKILLed at a random point, 10 times. Every
// rollout must end in a recorded state, no node may be acted on by two workers at once (each host's
// control script logs begin/end of every restart outside its own lock, so overlaps would show), and
// the approval must survive.
const TRIALS = Number(process.env['CHAOS_TRIALS'] ?? 10);
const VERSIONS = ['7.9.1', '7.9.2'];

let redis: RedisServerHandle;
let hosts: DemoHosts;
let env: Record<string, string>;
let conn: Redis;
const workers: BotProcess[] = [];

before(async () => {
  redis = await startRedisServer({ appendonly: false });
  hosts = await startDemoHosts({ count: 3, version: VERSIONS[0]!, releases: VERSIONS });
  // Wrap each host's control script so every call is logged with its time span.
  for (const h of hosts.hosts) {
    const ctl = join(h.ssh.root, 'bin/nodectl');
    const real = `${ctl}.real`;
    writeFileSync(real, readFileSync(ctl), { mode: 0o755 });
    writeFileSync(ctl, `#!/usr/bin/env bash\necho "begin $(date +%s%3N) $$" >> ${h.ssh.root}/actions.log\n${real} "$@"; rc=$?\necho "end $(date +%s%3N) $$" >> ${h.ssh.root}/actions.log\nexit $rc\n`, { mode: 0o755 });
  }
  const fleetPath = join(hosts.dir, 'chainops.yaml');
  // Fleet-file paths must stay inside the fleet file's directory: the playbook sits next to it.
  copyFileSync(DEMO_PLAYBOOK, join(hosts.dir, 'upgrade.yml'));
  writeFileSync(fleetPath, `
version: 1
name: chaos
environments:
  prod:
    thresholds: { max_lag_blocks: 100000000, min_peers: 0 }
    approval: { required: 1 }
groups:
  demo: { chain: ethereum, network: dev, client: ganache, desired_version: 7.9.2, rpc: { kind: eth }, playbook: upgrade.yml }
nodes:
${hosts.nodesYaml('demo', 'prod')}
rollout: { waves: [1, "100%"], max_unavailable: 1, health_gate: { consecutive: 2, interval: 250ms, timeout: 20s } }
health: { interval: 2s, timeout: 2s }
console: { allow_impersonation: true }   # the tests type as carol and bob with --as
roles: { operator: { console: [carol] }, approver: { console: [bob] } }
`);
  env = {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `ck-${randomUUID().slice(0, 8)}`,
    CHAINOPS_SSH_KEY_FILE: hosts.keyFile, CHAINOPS_LEASE_MS: '3000', CHAINOPS_JOB_LOCK_MS: '3000', METRICS_PORT: '0', LOG_LEVEL: 'info',
  };
  conn = new Redis(redis.url);
  for (let i = 0; i < 2; i++) workers.push(await startBotProcess('worker', env));
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  conn?.disconnect();
  await hosts?.stop();
  await redis?.stop();
});

const as = (user: string, line: string) => consoleAs({ ...env, LOG_LEVEL: 'warn' }, user, line);

function spans(root: string): Array<[number, number]> {
  const open = new Map<string, number>();
  const out: Array<[number, number]> = [];
  for (const line of readFileSync(join(root, 'actions.log'), 'utf8').trim().split('\n')) {
    const [kind, at, pid] = line.split(' ');
    if (kind === 'begin') open.set(pid!, Number(at));
    else if (open.has(pid!)) out.push([open.get(pid!)!, Number(at)]), open.delete(pid!);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

test(`worker SIGKILL at a random point of a rollout, ${TRIALS} trials: every rollout ends recorded, no node acted on twice at once, approvals kept`, async (t) => {
  const prefix = env['CHAINOPS_PREFIX']!;
  const rollouts = new RedisRolloutStore(conn, { prefix: storePrefix(prefix, 'rollouts') });
  const state = new RedisStateStore(conn, { prefix: storePrefix(prefix, 'state') });
  const lines: string[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const t0 = Date.now();
    const version = VERSIONS[(trial + 1) % 2]!;
    const approval = /\bap-[a-z0-9]+/.exec(await as('carol', `upgrade demo ${version} --env prod`))?.[0];
    assert.ok(approval, `trial ${trial}: an approval was requested`);
    const id = /\bup-[a-z0-9]+/.exec(await as('bob', `approve ${approval}`))?.[0];
    assert.ok(id, `trial ${trial}: the rollout was queued`);
    const rec = await waitFor(async () => (await rollouts.get(id))?.owner ? rollouts.get(id) : undefined, { what: `${id} starts`, timeoutMs: 60_000 });
    // A random point: somewhere in the first ~8 s of the rollout (the whole rollout takes longer).
    const delay = Math.floor(Math.random() * 8_000);
    await new Promise((r) => setTimeout(r, delay));
    const atKill = await rollouts.get(id);
    const owner = atKill?.owner ?? rec!.owner!;
    const victim = workers.find((w) => owner.includes(`-${w.pid}-`));
    const killedAt = Date.now();
    if (victim) {
      process.kill(victim.pid, 'SIGKILL');
      workers.splice(workers.indexOf(victim), 1);
      workers.push(await startBotProcess('worker', env));
    }
    const end = await waitFor(async () => {
      const r = await rollouts.get(id);
      return r && ['done', 'halted', 'failed', 'aborted'].includes(r.status) ? r : undefined;
    }, { what: `${id} ends (trial ${trial})`, timeoutMs: 240_000, intervalMs: 250 });
    lines.push(`trial ${trial}: killed ${victim ? '' : 'nobody (owner gone) '}${delay} ms in, nodes ${atKill?.nodes.map((n) => n.state).join('/') ?? '?'} → ${end.status} ${Math.round((Date.now() - killedAt) / 1000)} s after the kill (${Math.round((Date.now() - t0) / 1000)} s in all), runs ${end.nodes.map((n) => n.runs).join('/')}`);
    assert.equal(end.status, 'done', `trial ${trial}: ${JSON.stringify(end)}`);
    assert.ok(end.nodes.every((n) => n.runs >= 1 && n.runs <= 2), `trial ${trial}: ${JSON.stringify(end.nodes)}`);
    assert.equal((await state.getApproval(approval))?.status, 'approved', `trial ${trial}: the approval survived`);
    const vs = await Promise.all(hosts.hosts.map((h) => clientVersion(h.rpcUrl)));
    assert.ok(vs.every((v) => v?.includes(`v${version}`)), `trial ${trial}: ${vs.join(', ')}`);
  }
  for (const line of lines) t.diagnostic(line);
  for (const h of hosts.hosts) {
    const s = spans(h.ssh.root);
    for (let i = 1; i < s.length; i++) assert.ok(s[i]![0] >= s[i - 1]![1], `${h.name}: two restarts overlapped: ${JSON.stringify(s[i - 1])} and ${JSON.stringify(s[i])}`);
  }
});
