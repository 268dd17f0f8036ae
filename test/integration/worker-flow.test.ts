import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { ConsoleChat } from '../../adapters/console/index.ts';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { startOutboxConsumer } from '../../adapters/outbox/redis.outbox.ts';
import type { ChatEvent, MessageRef } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { createRuntime, type Runtime } from '../../src/main/runtime.ts';
import { startWorkerRole } from '../../src/main/worker.role.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import { deliverOutboxItem } from '../../src/pipeline/outbox-delivery.ts';

// The whole path through real Redis and BullMQ: scheduled sweeps fill snapshots; a prod upgrade is
// approved by someone else, becomes one job, a worker picks it up, and its result edits the job's
// message through the outbox.
let redis: RedisServerHandle;
let eth: GanacheHandle[];
let dir: string;
let rt: Runtime;
let worker: { close(): Promise<void> };
let consumer: { stop(): Promise<void> };
let out = '';

const fleetYaml = (a: string, b: string) => `
version: 1
name: flow
environments:
  prod:
    thresholds: { min_peers: 0 }
    approval: { required: 1 }
groups:
  eth-devnet: { chain: ethereum, network: devnet, client: ganache, desired_version: 7.9.2, rpc: { kind: eth } }
nodes:
  - { name: eth-1, group: eth-devnet, env: prod, rpc_url: "${a}" }
  - { name: eth-2, group: eth-devnet, env: prod, rpc_url: "${b}" }
health: { interval: 1s, timeout: 2s }
roles:
  viewer: { console: ["*"] }
  operator: { console: [carol] }
  approver: { console: [bob, dave] }
`;

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  redis = await startRedisServer({ appendonly: false });
  eth = await Promise.all([startGanache({ blockTimeSec: 1 }), startGanache({ blockTimeSec: 1 })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-flow-'));
  await writeFile(join(dir, 'chainops.yaml'), fleetYaml(eth[0]!.url, eth[1]!.url));
  const logger = pino({ level: 'silent' });
  rt = await createRuntime({ redisUrl: redis.url, prefix: `t-${randomUUID().slice(0, 8)}`, fleetPath: join(dir, 'chainops.yaml'), logger });
  worker = await startWorkerRole(rt, { concurrency: 2 });
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => (out += d.toString()));
  const chat = new ConsoleChat(stream, { color: false });
  consumer = startOutboxConsumer({
    redis: rt.connect('events'), prefix: rt.prefix, platforms: ['console'], consumer: 'test',
    deliver: (item) => deliverOutboxItem(item, () => chat, rt.state), logger,
  });
  (globalThis as { chat?: ConsoleChat }).chat = chat;
});

after(async () => {
  await consumer?.stop();
  await worker?.close();
  await rt?.close();
  await Promise.all((eth ?? []).map((g) => g.stop()));
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function say(user: string, text: string): { event: ChatEvent; replies: Message[]; respond: (m: Message) => Promise<MessageRef> } {
  const chat = (globalThis as { chat?: ConsoleChat }).chat!;
  const replies: Message[] = [];
  const event: ChatEvent = { kind: 'command', actor: { platform: 'console', id: user, roleIds: [] }, conversation: { platform: 'console', channelId: 'console' }, text };
  return { event, replies, respond: async (m) => (replies.push(m), chat.post(event.conversation, m)) };
}

test('the scheduled health sweep stores a snapshot of every node', async () => {
  const snaps = await until(async () => {
    const s = await rt.state.getSnapshots();
    return s.length === 2 && s.every((x) => x.reachable && x.version === '7.9.2') ? s : undefined;
  }, 'two reachable snapshots from the scheduled sweep');
  assert.deepEqual(snaps.map((s) => s.node).sort(), ['eth-1', 'eth-2']);
});

test('approved prod upgrade: one job, processed by the worker, the rollout refuses to run without a playbook and says so in its message', async () => {
  const dispatch = createDispatch(rt.core);
  const req = say('dave', '/chainops upgrade eth-devnet 7.10.0 --env prod');
  await dispatch(req.event, req.respond);
  const approvalText = req.replies[0]?.text ?? '';
  const id = /ap-[a-z0-9]+/.exec(approvalText)?.[0];
  assert.ok(id, `an approval id in: ${approvalText}`);
  assert.equal((await rt.queue.list(10)).filter((j) => j.queue === 'upgrade').length, 0, 'no job before approval');

  const self = say('dave', `/chainops approve ${id}`);
  await dispatch(self.event, self.respond);
  assert.match(self.replies[0]!.text, /someone else must approve/);

  const ok = say('bob', `/chainops approve ${id}`);
  await Promise.all([dispatch(ok.event, ok.respond), dispatch(say('bob', `/chainops approve ${id}`).event, async () => undefined)]);
  // The demo group names no playbook: the worker takes the job, changes nothing and says why.
  const jobs = await until(async () => {
    const j = (await rt.queue.list(10)).filter((x) => x.queue === 'upgrade');
    return j.length === 1 && j[0]!.state === 'completed' ? j : undefined;
  }, 'the upgrade job to be processed');
  assert.equal((jobs[0]!.result as { status?: string }).status, 'failed');
  await until(async () => /no `?playbook:`? in the fleet file/.test(out), 'the rollout message to say why nothing ran');
  const audit = await rt.audit.latest(20);
  assert.ok(audit.some((e) => e.action === 'approval.approve' && e.actor === 'console:bob'));
  assert.ok(audit.some((e) => e.action === 'refused' && e.actor === 'console:dave'));
  assert.ok(audit.some((e) => e.action === 'rollout.failed' && e.outcome === 'failed'));
});
