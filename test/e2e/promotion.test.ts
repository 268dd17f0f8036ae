import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { clientVersion, DEMO_PLAYBOOK, startDemoHosts, type DemoHosts } from '../../adapters/local/demo-hosts.ts';
import { RedisRolloutStore } from '../../adapters/redis/redis-rollout.store.ts';
import { RedisPromotionStore } from '../../adapters/redis/redis-promotion.store.ts';
import { RedisAlertStore } from '../../adapters/redis/redis-alert.store.ts';
import { RedisStateStore } from '../../adapters/redis/redis-state.store.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';
import { FleetView, fleetRev } from '../../src/gitops/fleet-view.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import { FileFleetSource } from '../../adapters/git/git-fleet.source.ts';
import type { PromotionRecord } from '../../src/promotion/promotion.record.ts';
import { WEEKDAYS } from '../../src/promotion/change-window.schema.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { consoleAs } from '../helpers/run-cli.ts';
import { markRuns, runsOf } from '../helpers/rollout-markers.ts';
import { NEW, OLD } from '../helpers/rollout-e2e.ts';

// Promotion dev → staging → prod (issue #16) on real sshd hosts with real ansible-playbook and ganache
// releases, through real worker processes and the console adapter. One host per environment; one
// redis, one set of hosts and the worker(s) shared by the three flows, which run in order.
const ENVS = ['dev', 'staging', 'prod'] as const;
let redis: RedisServerHandle;
let hosts: DemoHosts;
let env: Record<string, string>;
let conn: Redis;
let rollouts: RedisRolloutStore;
let promotions: RedisPromotionStore;
let state: RedisStateStore;
let fleetPath: string;
const workers: BotProcess[] = [];

/** The fleet file; `stagingClosed` puts staging behind a weekly window that is closed today. */
function fleetYaml(opts: { stagingClosed: boolean }): string {
  const closedDay = WEEKDAYS[(new Date().getUTCDay() + 3) % 7];
  const t = 'thresholds: { max_lag_blocks: 100000000, min_peers: 0, max_head_age: 1d }';
  const nodes = hosts.hosts.map((h, i) => {
    const s = hosts.settings(h);
    return `  - name: ${h.name}\n    group: demo\n    env: ${ENVS[i]}\n    rpc_url: ${h.rpcUrl}\n    ssh: ${JSON.stringify(s.ssh)}\n    ansible_vars: ${JSON.stringify(s.ansible_vars)}`;
  }).join('\n');
  return `
version: 1
name: promotion-e2e
environments:
  dev:
    ${t}
  staging:
    ${t}
${opts.stagingClosed ? `    change_windows: [{ days: [${closedDay}], from: "00:00", to: "01:00" }]\n` : ''}  prod:
    ${t}
    approval: { required: 1, self_approval: false, expires: 30m }
groups:
  demo:
    chain: ethereum
    network: dev
    client: ganache
    desired_version: ${NEW}
    rpc: { kind: eth }
    playbook: upgrade.yml
    promotion:
      stages:
        - { env: dev, soak: 4s }
        - { env: staging, soak: 8s }
        - { env: prod }
      poll: 500ms
nodes:
${nodes}
rollout:
  waves: [1, "100%"]
  max_unavailable: 1
  health_gate: { consecutive: 2, interval: 300ms, timeout: 8s }
health: { interval: 2s, timeout: 2s }
console: { allow_impersonation: true }
chain_truth: { split_skip: [ethereum/dev] }
roles:
  operator: { console: [carol] }
  approver: { console: [bob] }
  admin: { console: [alice] }
`;
}

before(async () => {
  redis = await startRedisServer({ appendonly: false });
  hosts = await startDemoHosts({ count: 3, version: OLD, releases: [OLD, NEW] });
  const dir = join(hosts.dir, 'fleet');
  mkdirSync(join(dir, 'files'), { recursive: true });
  copyFileSync(DEMO_PLAYBOOK, join(dir, 'upgrade.yml'));
  copyFileSync(join(DEMO_PLAYBOOK, '../files/demo-nodectl.sh'), join(dir, 'files/demo-nodectl.sh'));
  markRuns(join(dir, 'upgrade.yml'), hosts);
  fleetPath = join(dir, 'chainops.yaml');
  writeFileSync(fleetPath, fleetYaml({ stagingClosed: true }));
  env = {
    REDIS_URL: redis.url,
    CHAINOPS_CONFIG: fleetPath,
    CHAINOPS_PREFIX: `promo-${randomUUID().slice(0, 8)}`,
    CHAINOPS_SSH_KEY_FILE: hosts.keyFile,
    CHAINOPS_LEASE_MS: '3000',
    CHAINOPS_JOB_LOCK_MS: '4000',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  conn = new Redis(redis.url);
  rollouts = new RedisRolloutStore(conn, { prefix: storePrefix(env['CHAINOPS_PREFIX']!, 'rollouts') });
  promotions = new RedisPromotionStore(conn, { prefix: storePrefix(env['CHAINOPS_PREFIX']!, 'rollouts') });
  state = new RedisStateStore(conn, { prefix: storePrefix(env['CHAINOPS_PREFIX']!, 'state') });
  workers.push(await startBotProcess('worker', { ...env, LOG_LEVEL: 'info' }));
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  conn?.disconnect();
  await hosts?.stop();
  await redis?.stop();
});

const as = (user: string, line: string) => consoleAs(env, user, line);

function idIn(text: string, prefix: string): string {
  const m = new RegExp(`\\b${prefix}-[a-z0-9]{4,32}\\b`).exec(text);
  assert.ok(m, `no ${prefix}- id in:\n${text}`);
  return m[0];
}

async function until(id: string, done: (r: PromotionRecord) => boolean, what: string, timeoutMs = 240_000): Promise<PromotionRecord> {
  let last: PromotionRecord | undefined;
  try {
    return await waitFor(async () => {
      last = await promotions.get(id);
      return last && done(last) ? last : undefined;
    }, { what: `${id}: ${what}`, timeoutMs, intervalMs: 200 });
  } catch (err) {
    throw new Error(`${(err as Error).message}\nrecord: ${JSON.stringify(last, null, 1)}\nworker stderr:\n${workers.map((w) => w.stderr().slice(-3000)).join('\n---\n')}`);
  }
}

async function versions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [i, h] of hosts.hosts.entries()) out[ENVS[i]!] = /Ganache\/v([\d.]+)/.exec((await clientVersion(h.rpcUrl)) ?? '')?.[1] ?? 'down';
  return out;
}

/**
 * Put a changed fleet file in force for the running workers, as `/chainops sync apply` does (it ends in
 * `FleetView.accept`; the workers' views pick the synced revision up within their 2 s poll). The command
 * itself cannot be used here: a fresh console process loads the edited file as its own base and finds
 * nothing to sync.
 */
async function syncFleet(text: string): Promise<void> {
  writeFileSync(fleetPath, text);
  const parsed = parseFleet(text);
  assert.ok(parsed.ok);
  const view = new FleetView({ base: parsed.fleet, baseRev: fleetRev(text), sourceId: new FileFleetSource(fleetPath).id, preferSynced: false, kv: conn, prefix: storePrefix(env['CHAINOPS_PREFIX']!, 'fleet') });
  await view.accept({ text, rev: fleetRev(text), by: 'console:alice' });
}

const stageOf = (r: PromotionRecord, e: string) => r.stages.find((s) => s.env === e)!;

test('a closed change window holds staging; pause from chat holds it after the window opens; resume runs staging; prod waits for an approval by someone else', async () => {
  const started = await as('carol', `promotion start demo ${NEW}`);
  const id = idIn(started, 'pr');
  assert.match(started, new RegExp(`Promotion ${id}: demo → ${NEW.replace(/\./g, '\\.')}`));
  assert.match(await as('carol', `promotion start demo ${NEW}`), new RegExp(`demo already has promotion ${id} under way`), 'one promotion per group at a time');

  // dev runs by itself; staging's window is closed today, so it waits there and changes nothing.
  const held = await until(id, (r) => stageOf(r, 'staging').state === 'waiting-window', 'staging held by its change window');
  assert.equal(stageOf(held, 'dev').state, 'done');
  const devRollout = stageOf(held, 'dev').rolloutId!;
  assert.equal((await rollouts.get(devRollout))?.status, 'done');
  assert.deepEqual(await versions(), { dev: NEW, staging: OLD, prod: OLD });
  const tick = held.tick;
  await until(id, (r) => r.tick >= tick + 4, 'a few more ticks');
  assert.equal(stageOf((await promotions.get(id))!, 'staging').state, 'waiting-window');
  assert.match(await as('carol', 'promotion status demo'), /staging: waiting-window/);

  // Paused from chat, then the window opens (a fleet change): still nothing starts until resumed.
  assert.match(await as('carol', 'promotion pause demo'), new RegExp(`${id} .* pauses`));
  await until(id, (r) => r.status === 'paused', 'paused');
  await syncFleet(fleetYaml({ stagingClosed: false }));
  const pausedTick = (await promotions.get(id))!.tick;
  await until(id, (r) => r.tick >= pausedTick + 8, 'ticks while paused, past the fleet refresh');
  assert.equal((await promotions.get(id))!.status, 'paused');
  assert.equal(stageOf((await promotions.get(id))!, 'staging').state, 'waiting-window');
  assert.equal((await versions()).staging, OLD, 'nothing ran while paused');

  assert.match(await as('carol', 'promotion resume demo'), /resumes/);
  const atProd = await until(id, (r) => stageOf(r, 'prod').state === 'awaiting-approval' || r.status !== 'running', 'prod waits for approval');
  assert.equal(atProd.status, 'running');
  assert.equal(stageOf(atProd, 'staging').state, 'done');
  assert.deepEqual(await versions(), { dev: NEW, staging: NEW, prod: OLD });
  const approval = stageOf(atProd, 'prod').approvalId!;
  const card = await state.getApproval(approval);
  assert.equal(card?.requestedBy, 'console:carol', 'the starter is the requester');
  assert.equal(card?.command, `/chainops upgrade demo ${NEW} --env prod`, 'an ordinary upgrade, approved like one');

  // The starter may not approve their own prod change; another person may.
  assert.match(await as('carol', `approve ${approval}`), /needs the approver role|someone else must approve/);
  assert.match(await as('bob', `approve ${approval}`), /Approved/);
  const done = await until(id, (r) => r.status !== 'running', 'finished');
  assert.equal(done.status, 'done', JSON.stringify(done, null, 1));
  assert.deepEqual(await versions(), { dev: NEW, staging: NEW, prod: NEW });
  const prodRollout = (await rollouts.get(stageOf(done, 'prod').rolloutId!))!;
  assert.equal(prodRollout.approvalId, approval);
  assert.deepEqual(prodRollout.approvedBy, ['console:bob']);
  // Every step is in the audit log.
  const audit = await as('carol', 'audit --limit 100');
  assert.match(audit, /promotion\.start/);
  assert.match(audit, /promotion\.done/);
  assert.match(audit, /promotion\.pause/);
});

test('a worker SIGKILLed mid-promotion: another continues from the last recorded stage and never re-runs a finished one; abort from chat withdraws the prod approval', async () => {
  workers.push(await startBotProcess('worker', { ...env, LOG_LEVEL: 'info' }));
  const id = idIn(await as('carol', `promotion start demo ${OLD}`), 'pr');
  const mid = await until(id, (r) => stageOf(r, 'staging').state === 'rolling' && stageOf(r, 'staging').rolloutId !== undefined, 'staging rolling');
  const devRollout = stageOf(mid, 'dev').rolloutId!;
  assert.equal(stageOf(mid, 'dev').state, 'done');
  const stgId = stageOf(mid, 'staging').rolloutId!;
  // Kill the worker running staging's rollout (it may also hold the promotion's next tick).
  const rec = await waitFor(async () => (await rollouts.get(stgId))?.owner ? rollouts.get(stgId) : undefined, { what: 'staging rollout owner', timeoutMs: 60_000 });
  const owner = workers.find((w) => rec!.owner?.includes(`-${w.pid}-`));
  assert.ok(owner, `owner ${rec!.owner} is one of our workers`);
  process.kill(owner.pid, 'SIGKILL');

  const atProd = await until(id, (r) => stageOf(r, 'prod').state === 'awaiting-approval' || r.status !== 'running', 'prod waits for approval after the takeover');
  assert.equal(atProd.status, 'running', JSON.stringify(atProd, null, 1));
  assert.equal(stageOf(atProd, 'dev').rolloutId, devRollout, 'dev kept its one rollout');
  assert.equal(stageOf(atProd, 'staging').rolloutId, stgId, 'staging kept its one rollout');
  const devHost = hosts.hosts[0]!.name;
  assert.equal(runsOf(hosts, devRollout)[devHost], 1, 'the finished dev stage never ran again');
  const devRollouts = (await rollouts.list(50)).filter((r) => r.env === 'dev' && r.createdAt >= mid.createdAt);
  assert.deepEqual(devRollouts.map((r) => r.id), [devRollout], 'no second dev rollout');
  assert.ok(atProd.owner && !atProd.owner.includes(`-${owner.pid}-`), 'a surviving worker ticks it now');
  assert.deepEqual(await versions(), { dev: OLD, staging: OLD, prod: NEW });

  // Abort from chat: the pending prod approval is withdrawn, nothing more runs.
  const approval = stageOf(atProd, 'prod').approvalId!;
  assert.match(await as('carol', 'promotion abort demo'), /aborts/);
  const aborted = await until(id, (r) => r.status === 'aborted', 'aborted');
  assert.equal(stageOf(aborted, 'prod').state, 'aborted');
  await waitFor(async () => (await state.getApproval(approval))?.status === 'rejected', { what: 'approval withdrawn', timeoutMs: 10_000 });
  assert.match(await as('bob', `approve ${approval}`), /already rejected/);
  assert.equal((await versions()).prod, NEW);
});

test('an alert during the dev soak fails the stage: its rollout is rolled back and no later stage starts', async () => {
  const id = idIn(await as('carol', `promotion start demo ${NEW}`), 'pr');
  const soaking = await until(id, (r) => stageOf(r, 'dev').state === 'soaking' || r.status !== 'running', 'dev soaking');
  assert.equal(soaking.status, 'running');
  assert.equal((await versions()).dev, NEW);
  const node = hosts.hosts[0]!.name;
  const alerts = new RedisAlertStore(conn, { prefix: storePrefix(env['CHAINOPS_PREFIX']!, 'alerts') });
  // A firing alert on the dev node. The health sweep resolves it again (its condition does not
  // hold), so keep it firing until the promotion has seen it.
  const failed = await waitFor(async () => {
    const rec = await promotions.get(id);
    if (rec && stageOf(rec, 'dev').state !== 'soaking') return rec;
    if (!(await alerts.active()).some((a) => a.node === node && a.rule === 'lag')) {
      const now = Date.now();
      await alerts.create({
        id: `al-${randomUUID().slice(0, 8)}`, key: `lag@${node}`, rule: 'lag', expr: 'lag > 5', severity: 'warning', state: 'firing', summary: 'lag 40 blocks > 5',
        count: 2, since: now, lastSeen: now, firedAt: now, posted: false, targets: [], reminders: 0, rev: 0,
        scope: 'node', node, group: 'demo', env: 'dev', chain: 'ethereum', network: 'dev',
      });
    }
    return undefined;
  }, { what: 'dev soak fails on the alert', timeoutMs: 30_000, intervalMs: 100 });
  assert.match(failed.reason ?? '', /alert lag on/);
  const end = await until(id, (r) => r.status !== 'running', 'rolled back');
  assert.equal(end.status, 'rolled-back', JSON.stringify(end, null, 1));
  const dev = stageOf(end, 'dev');
  assert.equal(dev.state, 'rolled-back');
  assert.equal((await rollouts.get(dev.rollbackId!))?.rollbackOf, dev.rolloutId);
  assert.equal((await rollouts.get(dev.rolloutId!))?.status, 'rolled-back');
  assert.equal(stageOf(end, 'staging').state, 'pending', 'staging never started');
  assert.deepEqual(await versions(), { dev: OLD, staging: OLD, prod: NEW });
  assert.match(end.reason ?? '', /alert lag on .*rolled back by rb-/);
});
