import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { statfsSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { ConsoleChat } from '../../adapters/console/index.ts';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { startSshd, type SshdHost } from '../../adapters/local/sshd.process.ts';
import { startOutboxConsumer } from '../../adapters/outbox/redis.outbox.ts';
import type { ChatEvent, MessageRef } from '../../src/chat/chat-event.ts';
import type { Button, Message } from '../../src/chat/message.ts';
import { createRuntime, type Runtime } from '../../src/main/runtime.ts';
import { startWorkerRole } from '../../src/main/worker.role.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import { deliverOutboxItem } from '../../src/pipeline/outbox-delivery.ts';
import { until } from './terraform-fixture.ts';
import { runCli } from '../helpers/run-cli.ts';
import { parse } from 'yaml';

// Drift against real nodes: a ganache whose version (7.9.2) is older than its group's desired
// version, and an sshd host whose facts (CPU, memory, disk over SSH) differ from its group's shape,
// next to one whose shape matches this machine. The daily report is posted only when it changes.
let redis: RedisServerHandle;
let eth: GanacheHandle;
let spare: GanacheHandle;
let sshd: SshdHost;
let dir: string;
let rt: Runtime;
let worker: { close(): Promise<void> };
let consumer: { stop(): Promise<void> };
let out = '';
let prefix = '';

const GIB = 1024 ** 3;

function fleetYaml(): string {
  const fs = statfsSync('/');
  const here = { cpu: cpus().length, ram: Math.round((totalmem() / GIB) * 10) / 10, disk: Math.round(((fs.blocks * fs.bsize) / GIB) * 10) / 10 };
  const ssh = `{ host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, host_key: "${sshd.hostKey}" }`;
  return `
version: 1
name: drift
environments:
  prod:
    approval: { required: 1 }
    thresholds: { min_peers: 0 }
    channels: { console: ops }
groups:
  eth-old: { chain: ethereum, network: devnet, client: ganache, desired_version: 7.10.0, rpc: { kind: eth } }
  box-big:
    chain: ethereum
    network: devnet
    client: ganache
    desired_version: 7.9.2
    rpc: { kind: eth }
    shape: { cpu: ${here.cpu + 62}, ram_gib: 512, disk_gib: 20000 }
  box-here:
    chain: ethereum
    network: devnet
    client: ganache
    desired_version: 7.9.2
    rpc: { kind: eth }
    shape: { cpu: ${here.cpu}, ram_gib: ${here.ram}, disk_gib: ${here.disk} }
nodes:
  - { name: eth-old-1, group: eth-old, env: prod, rpc_url: "${eth.url}" }
  - { name: box-big-1, group: box-big, env: prod, rpc_url: "${spare.url}", ssh: ${ssh} }
  - { name: box-here-1, group: box-here, env: prod, rpc_url: "${spare.url}", ssh: ${ssh} }
health: { interval: 1s, timeout: 3s }
roles:
  viewer: { console: ["*"] }
  operator: { console: [carol] }
  approver: { console: [bob] }
`;
}

before(async () => {
  redis = await startRedisServer({ appendonly: false });
  [eth, spare] = await Promise.all([startGanache({ blockTimeSec: 1 }), startGanache({ blockTimeSec: 1 })]);
  sshd = await startSshd();
  process.env['CHAINOPS_SSH_KEY_FILE'] = sshd.keyFile;
  process.env['METRICS_PORT'] = '0';
  dir = await mkdtemp(join(tmpdir(), 'chainops-drift-'));
  await writeFile(join(dir, 'chainops.yaml'), fleetYaml());
  const logger = pino({ level: 'silent' });
  prefix = `t-${randomUUID().slice(0, 8)}`;
  rt = await createRuntime({ redisUrl: redis.url, prefix, fleetPath: join(dir, 'chainops.yaml'), logger, fleetGit: null, fleetPollMs: 200 });
  worker = await startWorkerRole(rt, { concurrency: 2, sshKeyFile: sshd.keyFile });
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => (out += d.toString()));
  const chat = new ConsoleChat(stream, { color: false, width: 200 });
  consumer = startOutboxConsumer({
    redis: rt.connect('events'), prefix: rt.prefix, platforms: ['console'], consumer: 'test',
    deliver: (item) => deliverOutboxItem(item, () => chat, rt.state), logger,
  });
});

after(async () => {
  await consumer?.stop();
  await worker?.close();
  await rt?.close();
  await Promise.all([eth?.stop(), spare?.stop(), sshd?.stop()]);
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Said = { kind: 'command'; text: string } | { kind: 'action'; actionId: string; value: string };

async function send(user: string, event: Said): Promise<Message[]> {
  const replies: Message[] = [];
  const full: ChatEvent = { ...event, actor: { platform: 'console', id: user, roleIds: [] }, conversation: { platform: 'console', channelId: 'console' } };
  await createDispatch(rt.core)(full, async (m) => {
    replies.push(m);
    return { platform: 'console', channelId: 'console', messageId: `m${replies.length}` } satisfies MessageRef;
  });
  return replies;
}

const rowsOf = (m: Message) => m.blocks.flatMap((b) => (b.type === 'table' ? b.rows : []));
const buttonsOf = (m: Message): Button[] => m.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));

async function runDrift(id: string): Promise<{ posted: string[]; nodes: string[]; digests: Record<string, string> }> {
  await rt.queue.enqueue('drift', id, { v: 1 });
  const job = await until(async () => {
    const j = await rt.queue.get('drift', id);
    return j && (j.state === 'completed' || j.state === 'failed') ? j : undefined;
  }, `drift job ${id}`, 60_000);
  assert.equal(job.state, 'completed', job.failedReason);
  return job.result as { posted: string[]; nodes: string[]; digests: Record<string, string> };
}

test('/chainops drift shows the old-version node and the host whose facts differ from its shape, with the fix buttons', async () => {
  // The drift job gathers host facts over SSH and stores them with each node's snapshot.
  const first = await runDrift('dr-first1');
  assert.deepEqual(first.nodes.sort(), ['box-big-1', 'eth-old-1']);
  const [report] = await send('carol', { kind: 'command', text: '/chainops drift --env prod' });
  assert.ok(report, 'a reply');
  const rows = rowsOf(report);
  const old = rows.find((r) => r[0] === 'eth-old-1');
  assert.ok(old, JSON.stringify(rows));
  assert.equal(old[1], '7.9.2 → 7.10.0');
  const big = rows.find((r) => r[0] === 'box-big-1');
  assert.ok(big, JSON.stringify(rows));
  assert.match(big[2]!, new RegExp(`cpu ${cpus().length} vCPU \\(want ${cpus().length + 62} vCPU\\)`));
  assert.match(big[2]!, /ram [\d.]+ GiB \(want 512 GiB\)/);
  assert.match(big[2]!, /disk [\d.]+ GiB \(want 20000 GiB\)/);
  assert.equal(rows.find((r) => r[0] === 'box-here-1'), undefined, 'the host that matches its shape is not drift');
  assert.equal(report.severity, 'warn');

  const upgrade = buttonsOf(report).find((b) => b.actionId === 'drift-upgrade');
  assert.ok(upgrade, 'an Upgrade to desired button');
  assert.equal(upgrade.value, 'eth-old 7.10.0 --env prod');
  // The button starts the normal upgrade flow, approvals included.
  const [asked] = await send('carol', { kind: 'action', actionId: upgrade.actionId, value: upgrade.value });
  assert.match(asked!.text, /Approval ap-[a-z0-9]+ \(pending\): \/chainops upgrade eth-old 7\.10\.0 --env prod/);
});

test('the scheduled report is posted to the environment channel only when the findings change', async () => {
  // The worker's daily schedule (or the job above) posted the first report with drift in it.
  await until(async () => /Daily drift report: prod/.test(out), 'the first daily report in the prod channel', 30_000, () => out);
  assert.match(out, /\[ops\]|ops/);
  const again = await runDrift('dr-again1');
  assert.deepEqual(again.posted, [], 'unchanged findings are not posted again');
  await spare.stop();
  await until(async () => (await rt.state.getSnapshots(['box-here-1']))[0]?.reachable === false, 'a sweep to see box-here-1 down', 30_000);
  const changed = await runDrift('dr-changed1');
  assert.deepEqual(changed.posted, ['prod'], 'a change is posted');
  assert.ok(changed.nodes.includes('box-here-1'), 'the stopped node now drifts (unreachable)');
});

test('`chainops inventory --ansible` writes an Ansible inventory with groups per node group, env and chain', async () => {
  const file = join(dir, 'inventory.yml');
  const r = await runCli(['inventory', '--ansible', '--out', file], { REDIS_URL: redis.url, CHAINOPS_CONFIG: join(dir, 'chainops.yaml'), CHAINOPS_PREFIX: prefix, LOG_LEVEL: 'warn' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /left out \(no ssh.*\): eth-old-1/);
  const inv = parse(await (await import('node:fs/promises')).readFile(file, 'utf8')) as { all: { hosts: Record<string, { ansible_host: string; ansible_port: number }>; children: Record<string, { hosts: Record<string, null> }> } };
  assert.deepEqual(Object.keys(inv.all.hosts).sort(), ['box-big-1', 'box-here-1']);
  assert.equal(inv.all.hosts['box-big-1']!.ansible_port, sshd.port);
  for (const g of ['box_big', 'env_prod', 'chain_ethereum', 'ethereum_prod']) assert.ok(inv.all.children[g], `group ${g} in ${Object.keys(inv.all.children).join(', ')}`);
});
