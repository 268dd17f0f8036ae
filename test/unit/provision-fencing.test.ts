import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import { provisionProcessor } from '../../jobs/provision/provision.processor.ts';
import type { WorkerDeps } from '../../jobs/worker-deps.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import type { TerraformInventory } from '../../src/inventory/terraform-inventory.ts';
import { Redactor } from '../../src/provision/redact.ts';
import type { TerraformPort } from '../../src/provision/terraform.port.ts';

/** A provisioning job on memory stores with a Terraform stand-in whose `plan` runs `duringPlan`. */
function harness(duringPlan: (state: MemoryStateStore) => Promise<unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'pv-fence-'));
  const parsed = parseFleet(`
version: 1
name: t
environments: { dev: { approval: { required: 0 } } }
groups: { g: { chain: ethereum, network: dev, client: ganache, desired_version: 2.0.0, rpc: { kind: eth }, terraform: { module: mod } } }
nodes: []
`);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed));
  const fleet = parsed.fleet;
  const state = new MemoryStateStore();
  const applied: string[] = [];
  const tf: TerraformPort & { redactor: Redactor } = {
    redactor: new Redactor(),
    version: async () => '1.9.0',
    init: async () => {},
    plan: async (req) => {
      await duringPlan(state);
      return { file: req.planFile, hash: 'a'.repeat(64), fileSha: 'b'.repeat(64), summary: { add: 1, change: 0, destroy: 0, changes: [], empty: false } };
    },
    showPlan: async () => { throw new Error('unused'); },
    apply: async (_d, file) => void applied.push(file),
    outputs: async () => ({ values: {}, sensitive: [] }),
    stateResources: async () => [],
  } as TerraformPort & { redactor: Redactor };
  const deps: WorkerDeps = {
    fleet: () => fleet, state, rollouts: new MemoryRolloutStore(), audit: new MemoryAuditLog(), outbox: new MemoryOutbox(), clock: { now: () => Date.now() },
    logger: { info() {}, warn() {}, error() {}, debug() {} }, checkerFor: () => { throw new Error('unused'); },
    playbooks: { run: async () => { throw new Error('unused'); } }, fleetDir: dir, playbookDigest: async () => undefined, workerId: 'w-1', leaseMs: 300,
  };
  const inventory = { get: async () => ({ env: 'dev', group: 'g', workspace: 'dev-g', nodes: [], at: 0, by: 'x' }), put: async () => {} } as unknown as TerraformInventory;
  const processor = provisionProcessor(deps, { terraform: () => tf, inventory, refreshFleet: async () => {}, fleetDir: dir, newId: () => 'abcd', lockTtlMs: 300 });
  const run = (extra: Record<string, unknown> = {}) => processor({
    id: 'pv-fence1', queue: 'provision', attempt: 1, attempts: 1, progress: async () => {}, log: async () => {},
    data: { v: 1, kind: 'provision', phase: 'plan', env: 'dev', group: 'g', count: 1, requestedBy: 'console:carol', approvedBy: [], report: { key: 'job:pv-fence1', conversation: { platform: 'console', channelId: 'c' } }, ...extra },
  });
  return { state, applied, run };
}

describe('provisioning through the change runner', () => {
  it('a job whose lock is lost (force-unlocked) during the plan stops before apply and says why', async () => {
    const h = harness((state) => state.forceReleaseLock('dev/g'));
    await assert.rejects(h.run(), /lost the lease on dev\/g .*stopped before the next step/);
    assert.deepEqual(h.applied, [], 'terraform apply never ran');
  });

  it('a freeze set while it plans stops it before apply', async () => {
    const h = harness((state) => state.setFreeze({ env: 'dev', by: 'console:admin', reason: 'incident', at: 1 }));
    await assert.rejects(h.run(), /dev is frozen by console:admin \(incident\)/);
    assert.deepEqual(h.applied, []);
  });

  it('an apply whose approval expired is refused before anything is applied', async () => {
    const h = harness(async () => {});
    const now = Date.now();
    await h.state.createApproval({ id: 'ap-old00001', env: 'dev', command: 'provision g', planHash: 'a'.repeat(64), job: { queue: 'provision', jobId: '', data: null }, requestedBy: 'console:carol', required: 1, selfApproval: false, approverRole: 'approver', approvals: ['console:bob'], status: 'approved', createdAt: now - 7_200_000, expiresAt: now - 60_000, rev: 0 });
    await assert.rejects(h.run({ phase: 'apply', nodes: ['g-1'], plan: { id: 'pv-fence0', hash: 'a'.repeat(64), approvalId: 'ap-old00001' } }), /approval ap-old00001 expired at .*a new approval is needed/);
    assert.deepEqual(h.applied, []);
  });

  it('holds a fenced env/group lease while it runs and applies when nothing interferes', async () => {
    let seen: unknown;
    const h = harness(async (state) => { seen = await state.getLock('dev/g'); });
    await assert.rejects(h.run(), /chainops_nodes/, 'the stand-in has no outputs: fails after apply, at the inventory');
    assert.equal(h.applied.length, 1, 'applied once');
    assert.match(JSON.stringify(seen), /"holder":"pv-fence1\/w-1\/[0-9a-f]{6}".*"token":\d+/);
  });
});
