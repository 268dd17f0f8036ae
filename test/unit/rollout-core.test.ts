import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AnsiblePlaybookRunner } from '../../adapters/ansible/ansible-playbook.runner.ts';
import { parsePlaybookEvent } from '../../adapters/ansible/playbook-event.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryJobQueue } from '../../adapters/memory/memory.queue.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import type { Message } from '../../src/chat/message.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { ansibleInventory, knownHosts } from '../../src/inventory/ansible-inventory.ts';
import { upgradeJob } from '../../src/jobs/job-data.schema.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import { rolloutMessage } from '../../src/render/rollout.message.ts';
import { gateVerdict } from '../../src/rollout/gate.ts';
import { batchesOf, touchedNodes, type RolloutRecord } from '../../src/rollout/rollout.record.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const thresholds = { max_lag_blocks: 5, max_head_age: 180_000, min_peers: 3, max_disk_used_pct: 85 };
const snap = (over: Partial<Snapshot> = {}): Snapshot => ({
  node: 'eth-1', group: 'g', env: 'prod', chain: 'ethereum', network: 'main', at: T0, reachable: true,
  version: '1.14.3', head: 100, headTime: T0 - 10_000, peers: 8, latencyMs: 3, warnings: [], ...over,
});

describe('health gate verdict', () => {
  const want = { version: '1.14.3', thresholds, referenceHead: 102, now: T0 };
  it('passes a node on the target version, synced, close to the reference head, with peers', () => {
    assert.deepEqual(gateVerdict(snap(), want), { ok: true, reasons: [] });
    assert.equal(gateVerdict(snap({ version: 'v1.14.3' }), want).ok, true);
  });
  it('names every reason a node is not healthy yet', () => {
    const v = gateVerdict(snap({ version: '1.14.2', syncing: true, head: 90, peers: 1, headTime: T0 - 200_000 }), want);
    assert.equal(v.ok, false);
    assert.deepEqual(v.reasons, ['reports version 1.14.2, want 1.14.3', 'syncing', '12 blocks behind (max 5)', '1 peers (min 3)', 'head is 200s old (max 180s)']);
  });
  it('fails an unreachable node without guessing at the rest', () => {
    assert.deepEqual(gateVerdict(snap({ reachable: false, error: 'connection refused' }), want), { ok: false, reasons: ['RPC unreachable: connection refused'] });
  });
});

describe('rollout records', () => {
  const rec = (over: Partial<RolloutRecord> = {}): RolloutRecord => ({
    id: 'up-abcd1234', kind: 'upgrade', env: 'prod', group: 'eth', version: '2.0.0', planHash: 'f'.repeat(64), requestedBy: 'console:carol', approvedBy: ['console:bob'],
    dryRun: false, status: 'running', waves: [['a'], ['b', 'c']], reportKey: 'job:up-abcd1234', conversation: { platform: 'console', channelId: 'ops' },
    resumes: 0, createdAt: T0, updatedAt: T0,
    nodes: [
      { name: 'a', wave: 0, state: 'done', from: '1.0.0', to: '2.0.0', runs: 1 },
      { name: 'b', wave: 1, state: 'failed', from: '1.0.0', to: '2.0.0', runs: 1, detail: 'gate: reports version 1.0.0, want 2.0.0' },
      { name: 'c', wave: 1, state: 'pending', from: '1.0.0', to: '2.0.0', runs: 0 },
    ],
    ...over,
  });
  it('batches never take more nodes down at once than max_unavailable', () => {
    const nodes = rec().nodes;
    assert.deepEqual(batchesOf(nodes, 1).map((b) => b.map((n) => n.name)), [['a'], ['b'], ['c']]);
    assert.deepEqual(batchesOf(nodes, 2).map((b) => b.map((n) => n.name)), [['a', 'b'], ['c']]);
  });
  it('a rollback restores only the nodes the rollout acted on, newest first, to their previous version', () => {
    assert.deepEqual(touchedNodes(rec()).map((n) => [n.name, n.from]), [['b', '1.0.0'], ['a', '1.0.0']]);
  });
  it('the rollout message offers the controls of its state and shows each node', () => {
    const buttons = (m: Message) => m.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons.map((x) => x.actionId) : []));
    assert.deepEqual(buttons(rolloutMessage(rec())), ['rollout-pause', 'rollout-abort']);
    assert.deepEqual(buttons(rolloutMessage(rec({ status: 'paused' }))), ['rollout-resume', 'rollout-abort']);
    assert.deepEqual(buttons(rolloutMessage(rec({ status: 'halted' }))), ['rollout-rollback', 'rollout-retry', 'rollout-abort']);
    assert.deepEqual(buttons(rolloutMessage(rec({ status: 'done' }))), ['rollout-rollback']);
    const m = rolloutMessage(rec({ status: 'halted' }));
    const table = m.blocks.find((b) => b.type === 'table');
    assert.ok(table && table.type === 'table');
    assert.deepEqual(table.rows.map((r) => r[0]), ['a', 'b', 'c']);
    assert.match(table.rows[1]![4]!, /✗ gate: reports version 1\.0\.0/);
    const rb = m.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])).find((b) => b.actionId === 'rollout-rollback');
    assert.ok(rb?.confirm, 'rollback asks for confirmation');
  });
});

describe('Ansible inventory and runner input', () => {
  const fleetText = `
version: 1
name: t
environments: { prod: {} }
groups: { eth: { chain: ethereum, network: mainnet, client: geth, desired_version: 1.14.3, rpc: { kind: eth }, playbook: up.yml } }
nodes:
  - { name: eth-1, group: eth, env: prod, rpc_url: "http://10.0.0.1:8545", ssh: { host: 10.0.0.1, port: 22, user: ops, host_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIZ4FxjYuO/7XziNqxrav7CsrJv/LPIQht9u+6OVMhRj" }, ansible_vars: { data_dir: /data } }
  - { name: eth-2, group: eth, env: prod, rpc_url: "http://10.0.0.2:8545", ssh: { host: 10.0.0.2, port: 2222, user: ops } }
  - { name: eth-3, group: eth, env: prod, rpc_url: "http://10.0.0.3:8545" }
`;
  const parsed = parseFleet(fleetText);
  assert.ok(parsed.ok);
  const fleet: Fleet = parsed.fleet;
  it('groups hosts per group, env and chain, with connection vars and the node\'s own vars', () => {
    const { inventory, skipped } = ansibleInventory(fleet);
    assert.deepEqual(skipped, ['eth-3']);
    assert.equal(inventory.all.hosts?.['eth-1']?.ansible_host, '10.0.0.1');
    assert.equal(inventory.all.hosts?.['eth-2']?.ansible_port, 2222);
    assert.equal(inventory.all.hosts?.['eth-1']?.['data_dir'], '/data');
    assert.deepEqual(Object.keys(inventory.all.children ?? {}).sort(), ['chain_ethereum', 'env_prod', 'eth', 'ethereum_prod']);
  });
  it('pins host keys in known_hosts and lists nodes without a pinned key', () => {
    const kh = knownHosts(fleet.nodes);
    assert.match(kh.text, /^10\.0\.0\.1 ssh-ed25519 AAAA/);
    assert.deepEqual(kh.unpinned, ['eth-2']);
  });
  it('refuses unpinned hosts, missing playbooks and odd names before any process starts', async () => {
    // A binary that does not exist: reaching spawn would fail differently from these refusals.
    const runner = new AnsiblePlaybookRunner({ bin: '/nonexistent/ansible-playbook' });
    const playbook = new URL('../../examples/ansible/demo-node-upgrade.yml', import.meta.url).pathname;
    await assert.rejects(runner.run({ fleet, playbook, nodes: [fleet.nodes[1]!], extraVars: {} }), /host_key/);
    await assert.rejects(runner.run({ fleet, playbook: '/nope.yml', nodes: [fleet.nodes[0]!], extraVars: {} }), /does not exist/);
    const evil = { ...fleet.nodes[0]!, name: 'eth-1,all' };
    await assert.rejects(runner.run({ fleet, playbook, nodes: [evil], extraVars: {} }), /not allowed/);
  });
  it('reads the JSONL callback and ignores anything else', () => {
    assert.deepEqual(parsePlaybookEvent('{"event":"failed","host":"eth-1","task":"Restart","msg":"boom","stderr":"exit 3","t":1}'), { event: 'failed', host: 'eth-1', task: 'Restart', msg: 'boom — exit 3' });
    assert.equal(parsePlaybookEvent('[WARNING]: something'), undefined);
    assert.equal(parsePlaybookEvent('{not json'), undefined);
  });
});

describe('rollout control from chat', () => {
  const demo = parseFleet(readFileSync(new URL('../../examples/demo/chainops.yaml', import.meta.url), 'utf8'));
  if (!demo.ok) throw new Error('demo fleet invalid');
  const demoFleet = demo.fleet;
  function harness() {
    const clock = { now: () => T0 };
    const rollouts = new MemoryRolloutStore();
    const queue = new MemoryJobQueue({ clock });
    const state = new MemoryStateStore({ clock });
    const dispatch = createDispatch({
      fleet: () => demoFleet, queue, state, audit: new MemoryAuditLog(), outbox: new MemoryOutbox(async () => {}), clock,
      logger: { info() {}, warn() {}, debug() {}, error() {} }, checkNow: async () => [], newId: () => '000001', rollouts,
    });
    const send = async (user: string, text: string) => {
      const replies: Message[] = [];
      await dispatch({ kind: 'command', actor: { platform: 'console', id: user, roleIds: [] }, conversation: { platform: 'console', channelId: 'ops' }, text }, async (m) => {
        replies.push(m);
        return undefined;
      });
      return replies.map((r) => r.text).join('\n');
    };
    const record = (over: Partial<RolloutRecord>): RolloutRecord => ({
      id: 'up-abcd1234', kind: 'upgrade', env: 'prod', group: 'eth-devnet', version: '7.10.0', planHash: 'f'.repeat(64), requestedBy: 'console:carol', approvedBy: ['console:bob'],
      dryRun: false, status: 'running', waves: [['eth-1'], ['eth-2']], reportKey: 'job:up-abcd1234', conversation: { platform: 'console', channelId: 'ops' }, resumes: 0, createdAt: T0, updatedAt: T0,
      nodes: [{ name: 'eth-1', wave: 0, state: 'done', from: '7.9.2', to: '7.10.0', runs: 1 }, { name: 'eth-2', wave: 1, state: 'pending', from: '7.9.2', to: '7.10.0', runs: 0 }],
      ...over,
    });
    return { rollouts, queue, state, send, record };
  }

  it('pause and abort are requests the worker honours at the next node; a viewer may not send them', async () => {
    const h = harness();
    await h.rollouts.save(h.record({}));
    assert.match(await h.send('dave', 'rollout pause up-abcd1234'), /operator/i);
    assert.equal(await h.rollouts.getControl('up-abcd1234'), undefined);
    assert.match(await h.send('carol', 'rollout pause up-abcd1234'), /Pausing up-abcd1234/);
    assert.equal((await h.rollouts.getControl('up-abcd1234'))?.action, 'pause');
    assert.match(await h.send('carol', 'rollout resume up-abcd1234'), /not paused/);
    assert.match(await h.send('carol', 'rollout rollback up-abcd1234'), /abort it first/);
  });

  it('abort of a running rollout no worker runs (no execution holds its lock) records aborted at once; a later execution cannot write over it', async () => {
    const h = harness();
    await h.rollouts.save(h.record({}));
    // With a live execution holding the lock, abort is a request the worker honours.
    await h.state.acquireFenced('prod/eth-devnet', 'up-abcd1234/w-1/abc123', 'upgrade', 60_000);
    assert.match(await h.send('carol', 'rollout abort up-abcd1234'), /Aborting up-abcd1234/);
    assert.equal((await h.rollouts.get('up-abcd1234'))?.status, 'running');
    await h.state.releaseLock('prod/eth-devnet', 'up-abcd1234/w-1/abc123');
    assert.match(await h.send('carol', 'rollout abort up-abcd1234'), /aborted: no worker was running it/);
    assert.equal((await h.rollouts.get('up-abcd1234'))?.status, 'aborted');
    assert.equal(await h.rollouts.saveFenced(h.record({ status: 'running' }), 99), false, 'a re-delivered job cannot reopen it');
  });

  it('rollback is planned from what the nodes run now: a node whose version cannot be read is not rolled back blind', async () => {
    const h = harness();
    await h.rollouts.save(h.record({ status: 'halted' }));
    assert.match(await h.send('carol', 'rollout rollback up-abcd1234'), /Nothing to roll back for up-abcd1234: eth-1: its version cannot be read over RPC/);
    assert.deepEqual(await h.queue.list(10), []);
  });

  it('retry re-queues a halted rollout from its checkpoint; a running one cannot be retried', async () => {
    const h = harness();
    await h.rollouts.save(h.record({}));
    assert.match(await h.send('carol', 'rollout retry up-abcd1234'), /only a halted rollout/);
    await h.rollouts.save(h.record({ status: 'halted', nodes: [{ name: 'eth-1', wave: 0, state: 'failed', from: '7.9.2', to: '7.10.0', runs: 1 }, { name: 'eth-2', wave: 1, state: 'pending', to: '7.10.0', runs: 0 }] }));
    assert.match(await h.send('carol', 'rollout retry up-abcd1234'), /Retrying up-abcd1234 from eth-1/);
    const jobs = await h.queue.list(10);
    assert.equal(jobs.length, 1);
    assert.equal(upgradeJob.parse(jobs[0]!.data).mode, 'retry');
  });
});
