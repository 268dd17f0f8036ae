import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { playbookTreeDigest } from '../../src/main/playbook-digest.ts';
import { rolloutPlanHash } from '../../src/rollout/plan-hash.ts';
import { upgradePlanHash } from '../../src/rollout/plan.ts';

function fleetOf(extra = '', node2 = '"http://10.0.0.2:8545"'): Fleet {
  const parsed = parseFleet(`
version: 1
name: t
environments: { prod: {} }
groups: { eth: { chain: ethereum, network: mainnet, client: geth, desired_version: 1.14.3, rpc: { kind: eth }, playbook: up.yml } }
nodes:
  - { name: eth-1, group: eth, env: prod, rpc_url: "http://10.0.0.1:8545", ssh: { host: 10.0.0.1, port: 22, user: ops } }
  - { name: eth-2, group: eth, env: prod, rpc_url: ${node2} }
${extra}`);
  assert.ok(parsed.ok);
  return parsed.fleet;
}

describe('the rollout plan hash (one function for the bot and the worker)', () => {
  const base = { env: 'prod', group: 'eth', version: '2.0.0', targets: ['eth-1', 'eth-2'], waves: [['eth-1'], ['eth-2']], playbookDigest: 'd1' };
  const h = upgradePlanHash(fleetOf(), base);

  it('is stable, and ignores the order targets are listed in (waves keep the order)', () => {
    assert.equal(upgradePlanHash(fleetOf(), { ...base }), h);
    assert.equal(upgradePlanHash(fleetOf(), { ...base, targets: ['eth-2', 'eth-1'] }), h);
  });

  it('changes with the playbook tree, the version, the targets, the waves, a node address and the rollout policy', () => {
    assert.notEqual(upgradePlanHash(fleetOf(), { ...base, playbookDigest: 'd2' }), h);
    assert.notEqual(upgradePlanHash(fleetOf(), { ...base, version: '2.0.1' }), h);
    assert.notEqual(upgradePlanHash(fleetOf(), { ...base, targets: ['eth-1'], waves: [['eth-1']] }), h);
    assert.notEqual(upgradePlanHash(fleetOf(), { ...base, waves: [['eth-1', 'eth-2']] }), h);
    assert.notEqual(upgradePlanHash(fleetOf('', '"http://10.0.0.9:8545"'), base), h, 'a target moved to another address');
    assert.notEqual(upgradePlanHash(fleetOf('rollout: { max_unavailable: 2 }'), base), h);
    assert.notEqual(upgradePlanHash(fleetOf('rollout: { health_gate: { consecutive: 1 } }'), base), h);
  });

  it('a rollback hashes its own plan: per-node versions and the rollout it undoes', () => {
    const rb = { kind: 'rollback' as const, env: 'prod', group: 'eth', rollbackOf: 'up-aaaa', nodes: [{ name: 'eth-1', to: '1.0.0' }], waves: [['eth-1']], playbookDigest: 'd1' };
    const r = rolloutPlanHash(fleetOf(), rb);
    assert.notEqual(rolloutPlanHash(fleetOf(), { ...rb, nodes: [{ name: 'eth-1', to: '1.0.1' }] }), r);
    assert.notEqual(rolloutPlanHash(fleetOf(), { ...rb, rollbackOf: 'up-bbbb' }), r);
  });
});

describe('playbookTreeDigest: every file Ansible may read next to the playbook', () => {
  it('changes with a role file, a vars file, a template; not with the fleet file or Terraform state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbdigest-'));
    try {
      for (const d of ['roles/node/tasks', 'roles/node/templates', 'group_vars']) mkdirSync(join(dir, d), { recursive: true });
      writeFileSync(join(dir, 'up.yml'), '- hosts: all\n  roles: [node]\n');
      writeFileSync(join(dir, 'roles/node/tasks/main.yml'), '- debug: msg=hi\n');
      writeFileSync(join(dir, 'roles/node/templates/unit.j2'), 'ExecStart={{ bin }}\n');
      writeFileSync(join(dir, 'group_vars/all.yml'), 'bin: /usr/bin/geth\n');
      writeFileSync(join(dir, 'chainops.yaml'), 'version: 1\n');
      const digest = () => playbookTreeDigest(join(dir, 'up.yml'), { exclude: [join(dir, 'chainops.yaml')] });
      let last = await digest();
      assert.match(last ?? '', /^[0-9a-f]{64}$/);
      const changed = async (what: string, file: string, text: string) => {
        writeFileSync(join(dir, file), text);
        const now = await digest();
        assert.notEqual(now, last, `${what} changes the digest`);
        last = now;
      };
      await changed('a role file', 'roles/node/tasks/main.yml', '- debug: msg=bye\n');
      await changed('a template', 'roles/node/templates/unit.j2', 'ExecStart={{ bin }} --flag\n');
      await changed('a vars file', 'group_vars/all.yml', 'bin: /opt/geth\n');
      await changed('a new host_vars file', 'host_vars.yml', 'x: 1\n');
      writeFileSync(join(dir, 'chainops.yaml'), 'version: 1\nname: other\n');
      writeFileSync(join(dir, 'terraform.tfstate'), '{}');
      writeFileSync(join(dir, 'chainops.log'), 'a log line\n');
      mkdirSync(join(dir, '.chainops/plans'), { recursive: true });
      writeFileSync(join(dir, '.chainops/plans/pv-1.tfplan'), 'x');
      assert.equal(await digest(), last, 'the fleet file, logs, Terraform state and saved plans are not part of it');
      assert.equal(await playbookTreeDigest(join(dir, 'missing.yml')), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
