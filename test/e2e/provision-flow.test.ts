import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { ConsoleChat, startConsole, type ConsoleSession } from '../../adapters/console/index.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { startOutboxConsumer } from '../../adapters/outbox/redis.outbox.ts';
import { createRuntime, type Runtime } from '../../src/main/runtime.ts';
import { startWorkerRole } from '../../src/main/worker.role.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import { deliverOutboxItem } from '../../src/pipeline/outbox-delivery.ts';
import { runCli } from '../helpers/run-cli.ts';
import { localModule, requireTerraform, rpc, until, type LocalModule } from '../integration/terraform-fixture.ts';

// The whole provisioning path through the console adapter, real Redis/BullMQ, the real terraform
// binary and the local ganache module: plan → approval bound to the saved plan → apply → inventory
// from outputs → health gate; a plan that changed voids the approval; decommission; `plan`.
let redis: RedisServerHandle;
let mod: LocalModule;
let rt: Runtime;
let worker: { close(): Promise<void> };
let consumer: { stop(): Promise<void> };
let session: ConsoleSession;
let input: PassThrough;
let out = '';
let prefix: string;
let fleetPath: string;

const fleetYaml = () => `
version: 1
name: tf-e2e
environments:
  dev:
    approval: { required: 0 }
    thresholds: { min_peers: 0 }
  prod:
    approval: { required: 1, approver_role: approver, self_approval: false, expires: 30m }
    thresholds: { min_peers: 0 }
groups:
  eth-tf:
    chain: ethereum
    network: devnet
    client: ganache
    desired_version: 7.9.2
    rpc: { kind: eth }
    shape: { cpu: 2, ram_gib: 4, disk_gib: 50 }
    terraform: { module: local }
terraform: { binary: terraform, dir: ., workspace: "{env}-{group}" }
rollout:
  health_gate: { consecutive: 1, interval: 1s, timeout: 90s }
health: { interval: 2s, timeout: 3s }
roles:
  viewer: { console: ["*"] }
  operator: { console: [carol] }
  approver: { console: [bob, dave] }
  admin: { console: [alice] }
`;

before(async () => {
  await requireTerraform();
  redis = await startRedisServer({ appendonly: false });
  mod = await localModule();
  fleetPath = join(mod.root, 'chainops.yaml');
  await writeFile(fleetPath, fleetYaml());
  process.env['METRICS_PORT'] = '0';
  prefix = `t-${randomUUID().slice(0, 8)}`;
  const logger = pino({ level: 'silent' });
  rt = await createRuntime({ redisUrl: redis.url, prefix, fleetPath, logger, fleetGit: null, fleetPollMs: 200 });
  worker = await startWorkerRole(rt, { concurrency: 2 });
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => (out += d.toString()));
  const chat = new ConsoleChat(stream, { color: false, width: 160 });
  consumer = startOutboxConsumer({
    redis: rt.connect('events'), prefix: rt.prefix, platforms: ['console'], consumer: 'test',
    deliver: (item) => deliverOutboxItem(item, () => chat, rt.state), logger,
  });
  input = new PassThrough();
  session = startConsole({ input, output: stream, user: 'carol', users: ['alice', 'bob', 'carol', 'dave', 'vera'], dispatch: createDispatch(rt.core), chat, color: false });
});

after(async () => {
  // CHAINOPS_TEST_TRANSCRIPT=<file> keeps what the console showed, to read the messages as a person would.
  if (process.env['CHAINOPS_TEST_TRANSCRIPT']) await writeFile(process.env['CHAINOPS_TEST_TRANSCRIPT'], out);
  session?.close();
  input?.end();
  await consumer?.stop();
  await worker?.close();
  await rt?.close();
  await mod?.cleanup();
  await redis?.stop();
});

/** Type a line into the console and return the output from here on, once `expect` shows up in it. */
async function type(line: string, expect: RegExp, ms = 120_000): Promise<string> {
  const from = out.length;
  input.write(`${line}\n`);
  return until(async () => (expect.test(out.slice(from)) ? out.slice(from) : undefined), `${expect} after "${line}"`, ms, () => out.slice(from).slice(-4000));
}

/** The number of the last button labelled `label` in `text`. */
function button(text: string, label: string): number {
  const all = [...text.matchAll(new RegExp(`\\[(\\d+)\\] ${label}`, 'g'))];
  assert.ok(all.length, `no ${label} button in:\n${text}`);
  return Number(all.at(-1)![1]);
}

test('provision 2 nodes in prod: the plan shows 2 to add, the requester cannot approve, an approver approves, both nodes answer RPC', async () => {
  // dave holds the approver role, but self-approval is off in prod.
  const planned = await type('/chainops provision eth-tf --count 2 --env prod --as dave', /Approval (ap-[a-z0-9]+): provision eth-tf/);
  const id = /Approval (ap-[a-z0-9]+)/.exec(planned)![1]!;
  assert.match(planned, /to add\s*:?\s*2/, planned);
  assert.match(planned, /terraform_data\s+node\[eth-tf-1\]/);
  assert.match(planned, /terraform_data\s+node\[eth-tf-2\]/);
  assert.equal(rt.fleet().nodes.length, 0, 'nothing exists before approval');
  const approval = await rt.state.getApproval(id);
  assert.equal(approval?.status, 'pending');
  assert.equal(approval?.requestedBy, 'console:dave');
  assert.match(approval!.planHash, /^[0-9a-f]{64}$/);
  assert.match(planned, new RegExp(`plan:\\s+${approval!.planHash.slice(0, 12)}`), 'the approval shows the hash of the saved plan it binds to');

  const self = await type(`${button(planned, 'Approve')}! --as dave`, /someone else must approve|✖/);
  assert.match(self, /you requested ap-[a-z0-9]+, so someone else must approve it/);
  const operator = await type(`/chainops approve ${id} --as carol`, /✖/);
  assert.match(operator, /needs the approver role/);
  assert.equal((await rt.state.getApproval(id))?.status, 'pending');

  const n = button(planned, 'Approve');
  const done = await type(`${n}! --as bob`, /done — 2 nodes added and answering RPC|failed/, 180_000);
  assert.doesNotMatch(done, /failed/, done);
  assert.equal((await rt.state.getApproval(id))?.status, 'approved');

  const nodes = rt.fleet().nodes.filter((x) => x.group === 'eth-tf');
  assert.deepEqual(nodes.map((x) => x.name).sort(), ['eth-tf-1', 'eth-tf-2']);
  for (const node of nodes) assert.equal(await rpc(node.rpc_url, 'eth_chainId'), '0x539', `${node.name} answers RPC at ${node.rpc_url}`);

  const listed = await type('/chainops nodes eth-tf --as vera', /eth-tf-2/);
  assert.match(listed, /eth-tf-1/);
  const health = await type('/chainops health eth-tf --as vera', /Health of eth-tf[\s\S]*eth-tf-2/);
  for (const name of ['eth-tf-1', 'eth-tf-2']) assert.match(health.split('\n').find((l) => l.includes(name)) ?? '', /\bok\b/, health);

  // Another process reads the inventory Terraform produced from Redis.
  const inv = await runCli(['inventory'], { REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: prefix, LOG_LEVEL: 'warn' });
  assert.equal(inv.code, 0, inv.stderr);
  assert.match(inv.stdout, /eth-tf-1\s+prod\s+eth-tf\s+http:\/\/127\.0\.0\.1:\d+\s+-\s+terraform/);
  assert.match(inv.stdout, /eth-tf-2/);
});

test('a plan that changes between approval and apply voids the approval; nothing is applied and the new plan is shown', async () => {
  const planned = await type('/chainops provision eth-tf --count 1 --env prod --as carol', /Approval (ap-[a-z0-9]+): provision eth-tf/);
  const id = /Approval (ap-[a-z0-9]+)/.exec(planned)![1]!;
  assert.match(planned, /node\[eth-tf-3\]/);
  // The module changes after the plan was shown (someone merged a change to the Terraform config).
  const extra = join(mod.moduleDir, 'extra.tf');
  await writeFile(extra, 'resource "terraform_data" "marker" {\n  input = "changed after approval was requested"\n}\n');
  try {
    const voided = await type(`/chainops approve ${id} --as bob`, /not applied: the plan changed since it was approved[\s\S]*|failed/, 120_000);
    assert.doesNotMatch(voided, /failed/, voided);
    await until(async () => (await rt.state.getApproval(id))?.status === 'expired', 'the approval to be void');
    const again = await until(async () => (await rt.state.listApprovals('pending')).find((a) => a.id !== id), 'a new approval for the new plan');
    await until(async () => new RegExp(`Approval ${again.id}`).test(out), 'the new approval message');
    assert.match(out.slice(out.lastIndexOf(`Approval ${again.id}`)), /terraform_data\s+marker/, 'the new plan shows the change');
    assert.match(out, new RegExp(`void: the plan changed since it was approved`));
    assert.equal(await rpc(`http://127.0.0.1:${mod.basePort + 3}`, 'eth_chainId'), undefined, 'eth-tf-3 was not created');
    assert.deepEqual(rt.fleet().nodes.map((x) => x.name).sort(), ['eth-tf-1', 'eth-tf-2']);
    const rejected = await type(`/chainops reject ${again.id} --as bob`, /Rejected|✖/);
    assert.match(rejected, /Rejected/);
  } finally {
    await rm(extra, { force: true });
  }
});

test('decommission --dry-run shows the targeted destroy and changes nothing: no approval, both nodes keep running, inventory and state as they were', async () => {
  const before = rt.fleet().nodes.map((x) => x.name);
  const approvalsBefore = (await rt.state.listApprovals()).length;
  const shown = await type('/chainops decommission eth-tf-2 --dry-run --as carol', /dry run: planned .* nothing was destroyed or changed|failed/);
  assert.doesNotMatch(shown, /failed|Approval ap-/, shown);
  assert.match(shown, /to destroy\s*:?\s*1/);
  assert.match(shown, /destroys eth-tf-2 only/);
  assert.deepEqual(rt.fleet().nodes.map((x) => x.name), before, 'the inventory is unchanged');
  assert.equal((await rt.state.listApprovals()).length, approvalsBefore, 'no approval was asked');
  assert.equal(await rpc(`http://127.0.0.1:${mod.basePort + 1}`, 'eth_chainId'), '0x539', 'eth-tf-1 still runs');
  assert.equal(await rpc(`http://127.0.0.1:${mod.basePort + 2}`, 'eth_chainId'), '0x539', 'eth-tf-2 still runs');
  // Terraform's own state still holds both nodes.
  const clean = await type('/chainops plan prod --as carol', /no infrastructure drift|infrastructure drift in|failed/);
  assert.match(clean, /no infrastructure drift \(1 group\)/, clean);
});

test('decommission removes exactly one node (targeted destroy of a saved plan) and drops it from the inventory', async () => {
  const planned = await type('/chainops decommission eth-tf-2 --as carol', /Approval (ap-[a-z0-9]+): decommission eth-tf-2/);
  const id = /Approval (ap-[a-z0-9]+)/.exec(planned)![1]!;
  assert.match(planned, /to destroy\s*:?\s*1/);
  assert.match(planned, /destroys eth-tf-2 only/);
  const done = await type(`/chainops approve ${id} --as bob`, /done — eth-tf-2 destroyed and removed from the inventory|failed/, 120_000);
  assert.doesNotMatch(done, /failed/, done);
  assert.deepEqual(rt.fleet().nodes.map((x) => x.name), ['eth-tf-1']);
  assert.equal(await rpc(`http://127.0.0.1:${mod.basePort + 2}`, 'eth_chainId'), undefined, 'eth-tf-2 stopped');
  assert.equal(await rpc(`http://127.0.0.1:${mod.basePort + 1}`, 'eth_chainId'), '0x539', 'eth-tf-1 still runs');
  const refused = await type('/chainops decommission eth-tf-9 --as carol', /no node `eth-tf-9`/);
  assert.match(refused, /inventory/);
});

test('dev needs no approval: provision plans and applies in one job', async () => {
  const done = await type('/chainops provision eth-tf --env dev --as carol', /done — 1 node added and answering RPC|failed/, 180_000);
  assert.doesNotMatch(done, /failed|Approval ap-/, done);
  const dev = rt.fleet().nodes.filter((x) => x.env === 'dev');
  assert.equal(dev.length, 1);
  assert.notEqual(dev[0]!.name, 'eth-tf-1', 'a name not used anywhere in the fleet');
  assert.equal(await rpc(dev[0]!.rpc_url, 'eth_chainId'), '0x539');
});

test('/chainops plan shows infrastructure drift without changing anything; /chainops drift shows it as count drift', async () => {
  const clean = await type('/chainops plan prod --as carol', /no infrastructure drift|infrastructure drift in|failed/);
  assert.match(clean, /no infrastructure drift \(1 group\)/, clean);
  const extra = join(mod.moduleDir, 'extra.tf');
  await writeFile(extra, 'resource "terraform_data" "marker" {\n  input = "drift"\n}\n');
  try {
    const drift = await type('/chainops plan prod --as carol', /infrastructure drift in 1 of 1 groups|failed/);
    assert.match(drift, /1 to add, 0 to change, 0 to destroy/);
    assert.match(drift, /Read-only: nothing was applied/);
    const report = await type('/chainops drift --env prod --as vera', /Terraform plan not empty/);
    assert.match(report, /Plan fix \(prod\)/);
  } finally {
    await rm(extra, { force: true });
  }
  assert.deepEqual(rt.fleet().nodes.filter((x) => x.env === 'prod').map((x) => x.name), ['eth-tf-1'], 'nothing was applied');
});
