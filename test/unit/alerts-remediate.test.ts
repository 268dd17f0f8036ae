import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryAlertStore } from '../../adapters/memory/memory-alert.store.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import { remediateProcessor } from '../../jobs/remediate/remediate.processor.ts';
import type { JobContext } from '../../jobs/job-context.ts';
import { fleetSchema, type Fleet, type FleetNode } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import type { HostFacts, SshResult, SshRunner } from '../../src/ports/ssh.port.ts';
import { alertRecord } from '../helpers/alert-store.contract.ts';

const KEY = `ssh-ed25519 ${'A'.repeat(68)}`;
const FLEET: Fleet = fleetSchema.parse({
  version: 1,
  name: 'remediate',
  environments: { dev: {} },
  groups: { eth: { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: '7.9.2', rpc: { kind: 'eth' } } },
  nodes: [{ name: 'eth-1', group: 'eth', env: 'dev', rpc_url: 'http://127.0.0.1:1', ssh: { host: '10.0.0.1', user: 'ops', host_key: KEY } }],
  alerts: {
    rules: [{ name: 'stalled', when: 'head_age > 60s' }],
    actions: [
      { name: 'restart', ssh: ['sudo', 'systemctl', 'restart', 'ganache'] },
      { name: 'resync', playbook: 'playbooks/resync.yml' },
    ],
    remediation: [{ rule: 'stalled', action: 'restart', mode: 'auto', cooldown: '10m' }],
  },
});

class FakeSsh implements SshRunner {
  readonly calls: string[][] = [];
  constructor(private readonly result: Partial<SshResult> = {}) {}
  async run(_node: FleetNode, argv: readonly string[]): Promise<SshResult> {
    this.calls.push([...argv]);
    return { code: 0, stdout: 'restarted\npassword=hunter2\n', stderr: '', durationMs: 1200, timedOut: false, ...this.result };
  }
  async hostFacts(): Promise<HostFacts> {
    return { cpus: 4, memTotalMiB: 8000, memAvailableMiB: 6000, diskTotalGiB: 100, diskUsedPct: 42, load1: 0.3 };
  }
}

function setup(ssh: SshRunner = new FakeSsh()) {
  let now = Date.UTC(2025, 0, 6, 9, 0, 0);
  const clock = { now: () => now };
  const state = new MemoryStateStore({ clock });
  const alerts = new MemoryAlertStore({ clock });
  const audit = new MemoryAuditLog();
  const outbox = new MemoryOutbox();
  const snap: Snapshot = { node: 'eth-1', group: 'eth', env: 'dev', chain: 'ethereum', network: 'devnet', at: now, reachable: true, client: 'ganache', version: '7.9.2', head: 42, peers: 0, latencyMs: 2, warnings: [] };
  const processor = remediateProcessor({
    fleet: () => FLEET, checkerFor: () => ({ check: async () => snap }), state, audit, outbox, clock, alerts, ssh,
    logger: { info() {}, warn() {}, error() {}, debug() {} },
  });
  let n = 0;
  const run = (data: Record<string, unknown>, id = `rm-job${++n}`) => {
    const job: JobContext<unknown> = { id, queue: 'remediate', data: { v: 1, ...data }, attempt: 1, progress: async () => {}, log: async () => {} };
    return processor(job);
  };
  return { state, alerts, audit, outbox, run, tick: (ms: number) => void (now += ms) };
}

describe('remediate processor', () => {
  it('runs the fleet-file command over SSH once per job, posts the result to the alert thread, audits it', async () => {
    const ssh = new FakeSsh();
    const h = setup(ssh);
    const a = alertRecord('al-rem00001', { rule: 'stalled', node: 'eth-1', group: 'eth', env: 'dev', state: 'firing', posted: true });
    await h.alerts.create(a);
    const r = await h.run({ node: 'eth-1', action: 'restart', trigger: 'manual', alertId: a.id, requestedBy: 'console:carol' }, 'rm-one');
    assert.deepEqual(r, { ran: true, ok: true });
    assert.deepEqual(ssh.calls, [['sudo', 'systemctl', 'restart', 'ganache']]);
    const item = h.outbox.items.at(-1)!;
    assert.deepEqual([item.op, item.key], ['thread', `alert:${a.id}`]);
    assert.match(item.message.text, /✅ restart on eth-1: `sudo systemctl restart ganache` exited 0 in 1\.2s/);
    const code = item.message.blocks.find((b) => b.type === 'code');
    assert.ok(code && code.type === 'code' && code.text.includes('restarted') && !code.text.includes('hunter2'), 'output shown, secrets scrubbed');
    const entries = (await h.audit.latest(10)).map((e) => `${e.action}:${e.outcome}:${e.actor}`);
    assert.deepEqual(entries, ['job.end:ok:console:carol', 'job.start:pending:console:carol']);

    // The same job again (a worker died mid-way and BullMQ re-delivered it): never re-run blindly.
    const again = await h.run({ node: 'eth-1', action: 'restart', trigger: 'manual', alertId: a.id, requestedBy: 'console:carol' }, 'rm-one');
    assert.equal(again.ran, false);
    assert.equal(ssh.calls.length, 1);
    assert.match(h.outbox.items.at(-1)!.message.text, /already started once/);
  });

  it('a node a rollout holds (its node lease) is not restarted meanwhile; the restart itself holds the lease while it runs', async () => {
    let leaseDuring: string | undefined;
    const h = setup({
      calls: [],
      async run() {
        leaseDuring = (await h.state.getLock('node:eth-1'))?.purpose;
        return { code: 0, stdout: '', stderr: '', durationMs: 10, timedOut: false };
      },
      async hostFacts() { throw new Error('not used'); },
    } as unknown as SshRunner);
    await h.state.acquireLock('node:eth-1', 'worker-a', 'up-abc123 on eth-1', 60_000);
    const refused = await h.run({ node: 'eth-1', action: 'restart', trigger: 'auto', requestedBy: 'system:alerts' }, 'rm-busy');
    assert.deepEqual(refused, { ran: false, why: 'eth-1 is being acted on by up-abc123 on eth-1 — restart does not run at the same time; run it again once that is done' });
    assert.equal(leaseDuring, undefined, 'nothing ran');
    assert.equal((await h.audit.latest(1))[0]?.outcome, 'refused');

    await h.state.releaseLock('node:eth-1', 'worker-a');
    const ran = await h.run({ node: 'eth-1', action: 'restart', trigger: 'auto', requestedBy: 'system:alerts' }, 'rm-free');
    assert.deepEqual(ran, { ran: true, ok: true }, 'the refusal used up neither the run nor the cool-down');
    assert.equal(leaseDuring, 'rm-free restart on eth-1', 'held while the command ran');
    assert.equal(await h.state.getLock('node:eth-1'), undefined, 'released after');
  });

  it('automatic runs honour the per-node cool-down, so a flapping alert cannot loop restarts', async () => {
    const ssh = new FakeSsh();
    const h = setup(ssh);
    const a = alertRecord('al-rem00002', { rule: 'stalled', node: 'eth-1', group: 'eth', env: 'dev', state: 'firing', posted: true });
    await h.alerts.create(a);
    const auto = { node: 'eth-1', action: 'restart', trigger: 'auto', alertId: a.id, requestedBy: 'system:alerts' };
    assert.equal((await h.run(auto)).ran, true);
    h.tick(5 * 60_000);
    const second = await h.run(auto);
    assert.equal(second.ran, false);
    assert.match(h.outbox.items.at(-1)!.message.text, /cool-down: restart already ran on eth-1 within the last 10m/);
    h.tick(6 * 60_000);
    assert.equal((await h.run(auto)).ran, true);
    assert.equal(ssh.calls.length, 2);
    const refusals = (await h.audit.latest(20)).filter((e) => e.outcome === 'refused');
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0]!.actor, 'system');
  });

  it('a failing command is reported (not thrown, so it is not retried); playbooks need the Ansible runner', async () => {
    const h = setup(new FakeSsh({ code: 1, stdout: '', stderr: 'Unit ganache.service not found.' }));
    const report = { key: 'job:rm-x', conversation: { platform: 'console', channelId: 'ops' } };
    const r = await h.run({ node: 'eth-1', action: 'restart', trigger: 'manual', requestedBy: 'console:carol', report });
    assert.deepEqual(r, { ran: true, ok: false });
    const last = h.outbox.items.at(-1)!;
    assert.deepEqual([last.op, last.key], ['upsert', 'job:rm-x']);
    assert.match(last.message.text, /❌ restart on eth-1: .* exited 1/);
    await h.run({ node: 'eth-1', action: 'resync', trigger: 'manual', requestedBy: 'console:carol', report });
    assert.match(h.outbox.items.at(-1)!.message.text, /playbook actions need the Ansible runner/);
  });

  it('diagnostics: a fresh RPC check and host facts', async () => {
    const h = setup();
    const report = { key: 'job:rm-d', conversation: { platform: 'console', channelId: 'ops' } };
    await h.run({ node: 'eth-1', action: 'diagnose', trigger: 'manual', requestedBy: 'console:carol', report });
    const last = h.outbox.items.at(-1)!;
    assert.match(last.message.text, /diagnostics of eth-1/);
    const code = last.message.blocks.find((b) => b.type === 'code');
    assert.ok(code && code.type === 'code');
    assert.match(code.text, /rpc: ganache 7\.9\.2 · head 42/);
    assert.match(code.text, /host: 4 CPUs · memory 6000\/8000 MiB free · disk 42% of 100 GiB used/);
  });

  it('refuses nodes and actions the fleet file no longer has, and bad job data', async () => {
    const h = setup();
    assert.equal((await h.run({ node: 'eth-9', action: 'restart', trigger: 'manual', requestedBy: 'console:carol' })).ran, false);
    assert.equal((await h.run({ node: 'eth-1', action: 'reboot', trigger: 'manual', requestedBy: 'console:carol' })).ran, false);
    await assert.rejects(h.run({ node: 'eth-1; rm -rf /', action: 'restart', trigger: 'manual', requestedBy: 'console:carol' }), /job_data_invalid|cannot use/);
  });
});

describe('remediation as a fenced change', () => {
  it('refuses a changing action (run and auto) while the environment is frozen, runs it after unfreeze; diagnostics still read', async () => {
    const ssh = new FakeSsh();
    const h = setup(ssh);
    await h.state.setFreeze({ env: 'dev', by: 'console:admin', reason: 'exchange listing', at: 1 });
    const manual = await h.run({ node: 'eth-1', action: 'restart', trigger: 'manual', requestedBy: 'console:carol' });
    assert.equal((manual as { ran: boolean }).ran, false);
    assert.match((manual as { why: string }).why, /dev is frozen by console:admin \(exchange listing\)/);
    const auto = await h.run({ node: 'eth-1', action: 'restart', trigger: 'auto', requestedBy: 'system:alerts' });
    assert.equal((auto as { ran: boolean }).ran, false);
    assert.deepEqual(ssh.calls, [], 'nothing ran on the node');
    assert.equal((await h.run({ node: 'eth-1', action: 'diagnose', trigger: 'manual', requestedBy: 'console:carol' }) as { ran: boolean }).ran, true);
    await h.state.clearFreeze('dev');
    assert.deepEqual(await h.run({ node: 'eth-1', action: 'restart', trigger: 'manual', requestedBy: 'console:carol' }), { ran: true, ok: true });
    assert.equal(ssh.calls.length, 1);
  });

  it('holds the node lease with a fencing token while the action runs, renewed past its length; refuses while another holds it', async () => {
    let release!: () => void;
    const started: string[] = [];
    const slow: SshRunner = {
      run: async (_n, argv) => {
        started.push(argv.join(' '));
        await new Promise<void>((r) => { release = r; });
        return { code: 0, stdout: '', stderr: '', durationMs: 1, timedOut: false };
      },
      hostFacts: async () => { throw new Error('unused'); },
    };
    const state = new MemoryStateStore();
    const processor = remediateProcessor({
      fleet: () => FLEET, checkerFor: () => ({ check: async () => { throw new Error('unused'); } }), state, audit: new MemoryAuditLog(), outbox: new MemoryOutbox(), clock: { now: () => Date.now() },
      ssh: slow, leaseMs: 150, workerId: 'w1', logger: { info() {}, warn() {}, error() {}, debug() {} },
    });
    const job = (id: string): JobContext<unknown> => ({ id, queue: 'remediate', data: { v: 1, node: 'eth-1', action: 'restart', trigger: 'manual', requestedBy: 'console:carol' }, attempt: 1, progress: async () => {}, log: async () => {} });
    const first = processor(job('rm-a'));
    while (!started.length) await new Promise((r) => setTimeout(r, 10));
    const lease = await state.getLock('node:eth-1');
    assert.ok(lease?.token && lease.holder.startsWith('remediate-rm-a/'), JSON.stringify(lease));
    // Wait past three lease lengths: the heartbeat keeps it, so a second action is refused.
    await new Promise((r) => setTimeout(r, 500));
    const second = await processor(job('rm-b'));
    assert.equal((second as { ran: boolean }).ran, false);
    assert.match((second as { why: string }).why, /being acted on by rm-a restart on eth-1/);
    release();
    assert.deepEqual(await first, { ran: true, ok: true });
    assert.equal(await state.getLock('node:eth-1'), undefined, 'released after the action');
  });
});
