// ChainOps on a Redis Cluster of 3 masters, everything through redis+cluster://: status, a prod
// upgrade approved with the Approve button, its job and recorded rollout, an alert delivered to chat,
// and `audit` — with every multi-key script, MULTI and pipeline inside one slot (no CROSSSLOT), and
// the stores and queues spread over more than one master.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { ConsoleChat } from '../../adapters/console/console-chat.ts';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { startRedisCluster, type RedisClusterHandle } from '../../adapters/local/redis-cluster.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { startOutboxConsumer } from '../../adapters/outbox/redis.outbox.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { createRuntime, type Runtime } from '../../src/main/runtime.ts';
import { startWorkerRole } from '../../src/main/worker.role.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import { deliverOutboxItem } from '../../src/pipeline/outbox-delivery.ts';

let cluster: RedisClusterHandle;
let eth: GanacheHandle[];
let dir: string;
let rt: Runtime;
let worker: { close(): Promise<void> };
let consumer: { stop(): Promise<void> };
let out = '';
const logLines: string[] = [];
const prefix = `cl-${randomUUID().slice(0, 8)}`;

const fleetYaml = (urls: string[]) => `
version: 1
name: cluster-e2e
environments:
  prod:
    thresholds: { min_peers: 0, max_lag_blocks: 1000000 }
    approval: { required: 1 }
    channels: { console: ops }
groups:
  eth-devnet: { chain: ethereum, network: devnet, client: ganache, desired_version: 7.9.2, rpc: { kind: eth } }
nodes:
${urls.map((u, i) => `  - { name: eth-${i + 1}, group: eth-devnet, env: prod, rpc_url: "${u}" }`).join('\n')}
health: { interval: 1s, timeout: 1s }
roles:
  viewer: { console: ["*"] }
  operator: { console: [carol] }
  approver: { console: [bob] }
`;

before(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  eth = await Promise.all([startGanache({ blockTimeSec: 1 }), startGanache({ blockTimeSec: 1 }), startGanache({ blockTimeSec: 1 })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-cluster-'));
  await writeFile(join(dir, 'chainops.yaml'), fleetYaml(eth.map((g) => g.url)));
  const sink = new PassThrough();
  sink.on('data', (d: Buffer) => logLines.push(...d.toString().split('\n').filter(Boolean)));
  const logger = pino({ level: 'info' }, sink);
  rt = await createRuntime({ redisUrl: cluster.url, prefix, fleetPath: join(dir, 'chainops.yaml'), logger, fleetGit: null });
  worker = await startWorkerRole(rt, { concurrency: 2 });
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => (out += d.toString()));
  const chat = new ConsoleChat(stream, { color: false });
  consumer = startOutboxConsumer({
    redis: rt.connect('events'), prefix: rt.prefix, platforms: ['console'], consumer: 'test',
    deliver: (item) => deliverOutboxItem(item, () => chat, rt.state), logger,
  });
});

after(async () => {
  await consumer?.stop();
  await worker?.close();
  await rt?.close();
  await Promise.all((eth ?? []).map((g) => g.stop().catch(() => undefined)));
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function say(user: string, text: string) {
  const replies: Message[] = [];
  const event: ChatEvent = { kind: 'command', actor: { platform: 'console', id: user, roleIds: [] }, conversation: { platform: 'console', channelId: 'console' }, text };
  return { event, replies, respond: async (m: Message) => (replies.push(m), { platform: 'console' as const, channelId: 'console', messageId: String(replies.length) }) };
}

function click(user: string, actionId: string, value: string) {
  const replies: Message[] = [];
  const event: ChatEvent = { kind: 'action', actor: { platform: 'console', id: user, roleIds: [] }, conversation: { platform: 'console', channelId: 'console' }, actionId, value };
  return { event, replies, respond: async (m: Message) => (replies.push(m), { platform: 'console' as const, channelId: 'console', messageId: String(replies.length) }) };
}

test('status, an approved prod upgrade (button), its job, an alert and audit — all on a 3-master Redis Cluster, no CROSSSLOT', async () => {
  const dispatch = createDispatch(rt.core);
  await waitFor(async () => (await rt.state.getSnapshots()).filter((s) => s.reachable).length === 3, { what: 'a first sweep of all three nodes', timeoutMs: 30_000 });

  const status = say('alice', '/chainops status');
  await dispatch(status.event, status.replies && status.respond);
  assert.match(status.replies.map((r) => r.text).join('\n'), /3 nodes/);

  const req = say('carol', '/chainops upgrade eth-devnet 7.10.0 --env prod');
  await dispatch(req.event, req.respond);
  const approval = req.replies.find((r) => r.blocks.some((b) => b.type === 'actions'));
  assert.ok(approval, `an approval message with buttons: ${req.replies.map((r) => r.text).join('\n')}`);
  const approve = approval.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])).find((b) => b.actionId === 'approve');
  assert.ok(approve, 'an Approve button');
  const pressed = click('bob', 'approve', approve.value);
  await dispatch(pressed.event, pressed.respond);

  const job = await waitFor(async () => {
    const j = (await rt.queue.list(10)).filter((x) => x.queue === 'upgrade');
    return j.length === 1 && j[0]!.state === 'completed' ? j[0] : undefined;
  }, { what: 'the upgrade job to be processed on the cluster', timeoutMs: 30_000, intervalMs: 200 });
  assert.ok(job);
  // The fleet names no playbook: the rollout is recorded as failed and says why in its message.
  await waitFor(async () => /no `?playbook:`? in the fleet file/.test(out), { what: 'the rollout message in chat', timeoutMs: 20_000 });

  await eth[2]!.stop();
  const alert = await waitFor(async () => (await rt.alerts.active()).find((a) => a.key === 'unreachable@eth-3' && a.state === 'firing'), {
    what: 'the unreachable alert of eth-3 to fire', timeoutMs: 45_000, intervalMs: 200,
  });
  await waitFor(async () => out.includes(alert.id) || undefined, { what: `alert ${alert.id} in the console chat`, timeoutMs: 20_000 });

  const audit = say('alice', '/chainops audit --limit 50');
  await dispatch(audit.event, audit.respond);
  const auditText = JSON.stringify(audit.replies);
  assert.match(auditText, /Audit log — latest \d+/);
  assert.match(auditText, /approval\.approve/, auditText);
  assert.match(auditText, /alert\.fire/, auditText);

  assert.ok(!logLines.some((l) => /CROSSSLOT/.test(l)), `no CROSSSLOT:\n${logLines.filter((l) => /CROSSSLOT/.test(l)).join('\n')}`);
  // The keys really are spread: ChainOps' keys live on more than one master.
  const perMaster = await Promise.all(cluster.servers.map(async (s) => {
    const c = new Redis({ port: s.port, host: '127.0.0.1' });
    try {
      return (await c.keys(`*${prefix}*`)).length;
    } finally {
      c.disconnect();
    }
  }));
  assert.ok(perMaster.filter((n) => n > 0).length >= 2, `keys per master: ${perMaster.join(', ')}`);
});
