import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import type { JobContext } from '../../jobs/job-context.ts';
import { upgradeProcessor } from '../../jobs/upgrade/upgrade.processor.ts';
import type { WorkerDeps } from '../../jobs/worker-deps.ts';
import { ChainopsError } from '../../src/errors.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { playbookTreeDigest } from '../../src/main/playbook-digest.ts';
import type { PlaybookRequest, PlaybookResult } from '../../src/ports/playbook.port.ts';
import { upgradePlanHash } from '../../src/rollout/plan.ts';
import { rolloutFenceContract } from '../helpers/rollout-fence.contract.ts';

const KEY = `ssh-ed25519 ${'A'.repeat(68)}`;
const NAMES = ['n-1', 'n-2', 'n-3'];

/** A worker on memory stores whose "playbook" sets each node's version (what RPC then reports). */
async function harness(opts: { onRun?: (req: PlaybookRequest) => Promise<PlaybookResult | void> | PlaybookResult | void } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fence-'));
  writeFileSync(join(dir, 'up.yml'), '- hosts: all\n');
  const parsed = parseFleet(`
version: 1
name: t
environments: { dev: { thresholds: { max_lag_blocks: 1000000, min_peers: 0 } } }
groups: { g: { chain: ethereum, network: dev, client: ganache, desired_version: 2.0.0, rpc: { kind: eth }, playbook: up.yml } }
nodes:
${NAMES.map((n, i) => `  - { name: ${n}, group: g, env: dev, rpc_url: "http://127.0.0.1:${9000 + i}", ssh: { host: 127.0.0.1, port: ${2200 + i}, user: ops, host_key: "${KEY}" } }`).join('\n')}
rollout: { waves: [1, "100%"], max_unavailable: 1, health_gate: { consecutive: 1, interval: 10ms, timeout: 1s } }
`);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed));
  const fleet = parsed.fleet;
  const versions = new Map(NAMES.map((n) => [n, '1.0.0']));
  const runs: string[] = [];
  const state = new MemoryStateStore();
  const rollouts = new MemoryRolloutStore();
  const deps: WorkerDeps = {
    fleet: () => fleet, state, rollouts, audit: new MemoryAuditLog(), outbox: new MemoryOutbox(), clock: { now: () => Date.now() },
    logger: { info() {}, warn() {}, error() {}, debug() {} },
    checkerFor: () => ({ check: async (node) => ({ node: node.name, group: 'g', env: 'dev', chain: 'ethereum', network: 'dev', at: Date.now(), reachable: true, client: 'ganache', version: versions.get(node.name), head: 100, peers: 1, latencyMs: 1, warnings: [] }) as Snapshot }),
    playbooks: {
      run: async (req) => {
        for (const n of req.nodes) runs.push(n.name);
        const custom = await opts.onRun?.(req);
        if (custom) return custom;
        for (const n of req.nodes) versions.set(n.name, String(req.extraVars['chainops_version']));
        return { rc: 0, ok: true, hosts: {}, failures: [], diffs: [] };
      },
    },
    fleetDir: dir, playbookDigest: (p) => playbookTreeDigest(join(dir, p)), workerId: 'w-1', leaseMs: 300,
  };
  const processor = upgradeProcessor(deps, { sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) });
  const waves = [['n-1'], ['n-2', 'n-3']];
  const data = async (extra: Record<string, unknown> = {}) => ({
    v: 1, rolloutId: 'up-fence1', env: 'dev', group: 'g', version: '2.0.0', targets: NAMES, waves,
    planHash: upgradePlanHash(fleet, { env: 'dev', group: 'g', version: '2.0.0', targets: NAMES, waves, playbookDigest: await playbookTreeDigest(join(dir, 'up.yml')) }),
    requestedBy: 'console:carol', approvedBy: [], report: { key: 'job:up-fence1', conversation: { platform: 'console', channelId: 'c' } }, ...extra,
  });
  let n = 0;
  const job = (d: unknown, attempt = 1, attempts = 3): JobContext<unknown> => ({ id: `job-${++n}`, queue: 'upgrade', data: d, attempt, attempts, progress: async () => {}, log: async () => {} });
  return { dir, deps, state, rollouts, runs, processor, data, job };
}

describe('rollout fencing and the one resume path (memory stores)', () => {
  it('a second delivery of a running rollout waits for the lease and repeats nothing: each node runs once', async () => {
    let release!: () => void;
    let first = true;
    const h = await harness({ onRun: async () => { if (first) { first = false; await new Promise<void>((r) => { release = r; }); } } });
    const d = await h.data();
    const a = h.processor(h.job(d));
    while (!release) await new Promise((r) => setTimeout(r, 5));
    const b = h.processor(h.job(d));
    // B is another execution: the group lease is not re-entrant for it, so it waits while A runs.
    await new Promise((r) => setTimeout(r, 900)); // three lease lengths: A's heartbeat keeps it
    assert.deepEqual(h.runs, ['n-1'], 'only A ran, on the canary');
    release();
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.status, 'done');
    assert.equal(rb.status, 'done');
    assert.deepEqual(h.runs.sort(), NAMES, 'each node ran exactly once');
  });

  it('a run whose lease was force-unlocked stops before its next step and records why', async () => {
    let h!: Awaited<ReturnType<typeof harness>>;
    h = await harness({ onRun: async (req) => { if (req.nodes[0]!.name === 'n-1') await h.state.forceReleaseLock('dev/g'); } });
    const out = await h.processor(h.job(await h.data()));
    assert.equal(out.status, 'failed');
    assert.deepEqual(h.runs, ['n-1'], 'no node after the loss was touched');
    assert.match((await h.rollouts.get('up-fence1'))!.reason ?? '', /lost the lease on dev\/g .* stopped before the next step/);
  });

  it('retry re-checks the plan: a file added to the playbook directory after approval is refused, nothing runs', async () => {
    const h = await harness({ onRun: (req) => (req.nodes[0]!.name === 'n-1' ? { rc: 2, ok: false, hosts: {}, failures: [{ host: 'n-1', task: 't', msg: 'boom' }], diffs: [] } : undefined) });
    const d = await h.data();
    assert.equal((await h.processor(h.job(d))).status, 'halted');
    writeFileSync(join(h.dir, 'vars.yml'), 'x: 1\n');
    const retried = await h.processor(h.job({ ...d, mode: 'retry' }));
    assert.equal(retried.status, 'failed');
    assert.match((await h.rollouts.get('up-fence1'))!.reason ?? '', /plan changed since it was approved.*new approval is needed/);
    assert.deepEqual(h.runs, ['n-1'], 'the retry ran nothing');
  });

  it('a halted rollout says which step failed: the playbook (task and message), not the health gate', async () => {
    const h = await harness({ onRun: (req) => (req.nodes[0]!.name === 'n-1' ? { rc: 2, ok: false, hosts: {}, failures: [{ host: 'n-1', task: 'restart ganache', msg: 'unit not found' }], diffs: [] } : undefined) });
    assert.equal((await h.processor(h.job(await h.data()))).status, 'halted');
    const reason = (await h.rollouts.get('up-fence1'))!.reason ?? '';
    assert.match(reason, /^playbook failed on n-1 \(playbook: restart ganache — unit not found\)/);
    assert.doesNotMatch(reason, /health gate/);
  });

  it('an expired approval voids the start: recorded failed, nothing runs', async () => {
    const h = await harness();
    const d = await h.data({ approvalId: 'ap-expired1' });
    const now = Date.now();
    await h.state.createApproval({ id: 'ap-expired1', env: 'dev', command: 'upgrade g 2.0.0', planHash: d.planHash, job: { queue: 'upgrade', jobId: '', data: null }, requestedBy: 'console:carol', required: 1, selfApproval: false, approverRole: 'approver', approvals: ['console:bob'], status: 'approved', createdAt: now - 3_600_000, expiresAt: now - 1_000, rev: 0 });
    const out = await h.processor(h.job(d));
    assert.equal(out.status, 'failed');
    assert.match((await h.rollouts.get('up-fence1'))!.reason ?? '', /approval ap-expired1 expired at .* a new approval is needed/);
    assert.deepEqual(h.runs, []);
  });

  it('terminal state on the last attempt or a missing tool; earlier attempts are retried from the checkpoint', async () => {
    const missing = await harness({ onRun: () => { throw new ChainopsError('unavailable', 'could not start ansible-playbook: spawn ansible-playbook ENOENT — install ansible-core (apt-get install ansible-core)'); } });
    const out = await missing.processor(missing.job(await missing.data(), 1, 3));
    assert.equal(out.status, 'failed');
    assert.match((await missing.rollouts.get('up-fence1'))!.reason ?? '', /could not start ansible-playbook.*no more retries/);

    const flaky = await harness({ onRun: () => { throw new Error('ECONNRESET'); } });
    const d = await flaky.data();
    await assert.rejects(flaky.processor(flaky.job(d, 1, 2)), /ECONNRESET/);
    assert.equal((await flaky.rollouts.get('up-fence1'))!.status, 'running', 'attempt 1 of 2: left for the retry');
    const last = await flaky.processor(flaky.job(d, 2, 2));
    assert.equal(last.status, 'failed');
    assert.match((await flaky.rollouts.get('up-fence1'))!.reason ?? '', /ECONNRESET \(attempt 2 of 2; no more retries\)/);
  });

  it('a freeze pauses at the next node boundary; unfreeze continues', async () => {
    let h!: Awaited<ReturnType<typeof harness>>;
    h = await harness({ onRun: async (req) => { if (req.nodes[0]!.name === 'n-1') await h.state.setFreeze({ env: 'dev', by: 'console:admin', reason: 'drill', at: Date.now() }); } });
    const run = h.processor(h.job(await h.data()));
    let rec;
    while ((rec = await h.rollouts.get('up-fence1'))?.status !== 'paused') await new Promise((r) => setTimeout(r, 10));
    assert.match(rec!.reason ?? '', /dev is frozen by console:admin \(drill\)/);
    assert.deepEqual(h.runs, ['n-1'], 'nothing new started while frozen');
    await h.state.clearFreeze('dev');
    assert.equal((await run).status, 'done');
    assert.deepEqual(h.runs.sort(), NAMES);
  });

  it('a rollout waiting for the lock re-checks the freeze before its first node: frozen meanwhile, it does not start', async () => {
    const h = await harness();
    await h.state.acquireLock('dev/g', 'console:alice', 'maintenance', 60_000);
    const run = h.processor(h.job(await h.data()));
    while ((await h.rollouts.get('up-fence1'))?.status !== 'waiting-lock') await new Promise((r) => setTimeout(r, 10));
    await h.state.setFreeze({ env: 'dev', by: 'console:admin', reason: 'incident', at: Date.now() });
    await h.state.releaseLock('dev/g', 'console:alice');
    let rec;
    while ((rec = await h.rollouts.get('up-fence1'))?.status !== 'paused') await new Promise((r) => setTimeout(r, 10));
    assert.match(rec!.reason ?? '', /dev is frozen by console:admin \(incident\)/);
    assert.deepEqual(h.runs, [], 'nothing started while frozen');
    await h.state.clearFreeze('dev');
    assert.equal((await run).status, 'done');
  });
});

rolloutFenceContract('memory', async () => new MemoryRolloutStore());
