import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TerraformRunner } from '../../adapters/terraform/terraform.runner.ts';
import { readOutputContract } from '../../src/provision/output-contract.ts';
import { summarizePlan } from '../../src/provision/plan-summary.ts';
import { Redactor } from '../../src/provision/redact.ts';
import { varArgs } from '../../src/provision/tf-vars.ts';
import type { TfWorkDir } from '../../src/provision/terraform.port.ts';
import { localModule, requireTerraform, ROOT, rpc, type LocalModule } from './terraform-fixture.ts';

// The Terraform runner against the real `terraform` binary and examples/terraform/local, which starts
// real ganache nodes. Fails (never skips) when terraform is missing.
let mod: LocalModule;
let tf: TerraformRunner;
let dir: TfWorkDir;
const shape = { cpu: 2, ram_gib: 4, disk_gib: 50 };

before(async () => {
  await requireTerraform();
  mod = await localModule();
  tf = new TerraformRunner({ cliConfigFile: mod.cliConfig });
  dir = { moduleDir: mod.moduleDir, workspace: 'prod-eth' };
  await tf.init(dir);
});

after(async () => {
  await mod?.cleanup();
});

describe('terraform runner (real terraform, local ganache module)', () => {
  it('plans 2 nodes into a saved plan: summary by type and name, a hash that is stable across runs and follows the content', async () => {
    const lines: string[] = [];
    const vars = { env: 'prod', group: 'eth', node_names: ['eth-1', 'eth-2'], shape };
    const a = await tf.plan({ dir, vars, planFile: join(mod.root, 'a.tfplan'), onLine: (l) => lines.push(l) });
    const b = await tf.plan({ dir, vars, planFile: join(mod.root, 'b.tfplan') });
    assert.deepEqual([a.summary.add, a.summary.change, a.summary.destroy], [2, 0, 0]);
    assert.deepEqual(a.summary.changes.map((c) => [c.action, c.type, c.key]), [['add', 'terraform_data', 'eth-1'], ['add', 'terraform_data', 'eth-2']]);
    assert.equal(a.hash, b.hash, 'the same change hashes the same');
    assert.match(a.hash, /^[0-9a-f]{64}$/);
    assert.equal((await tf.showPlan(dir, a.file)).hash, a.hash, 'show -json of the saved file gives the same hash');
    const c = await tf.plan({ dir, vars: { ...vars, node_names: ['eth-1', 'eth-2', 'eth-3'] }, planFile: join(mod.root, 'c.tfplan') });
    assert.notEqual(c.hash, a.hash, 'a different change hashes differently');
    assert.ok(lines.some((l) => /Plan: 2 to add, 0 to change, 0 to destroy/.test(l)), `progress lines streamed: ${lines.join(' | ')}`);
  });

  it('applies only the saved plan; the outputs satisfy the contract and both nodes answer RPC; a stale saved plan is refused', async () => {
    const vars = { env: 'prod', group: 'eth', node_names: ['eth-1', 'eth-2'], shape };
    const saved = await tf.plan({ dir, vars, planFile: join(mod.root, 'apply.tfplan') });
    const other = await tf.plan({ dir, vars, planFile: join(mod.root, 'other.tfplan') });
    const lines: string[] = [];
    await tf.apply(dir, saved.file, (l) => lines.push(l));
    assert.ok(lines.some((l) => /Apply complete! Resources: 2 added/.test(l)), lines.join('\n'));
    const out = await tf.outputs(dir);
    const read = readOutputContract(out.values, { env: 'prod', group: 'eth' });
    assert.ok(read.ok, read.ok ? '' : read.problems.join('\n'));
    assert.deepEqual(read.nodes.map((n) => n.node.name), ['eth-1', 'eth-2']);
    for (const n of read.nodes) {
      assert.equal(n.node.rpc_url, `http://127.0.0.1:${mod.basePort + Number(n.node.name.slice(-1))}`);
      assert.equal(await rpc(n.node.rpc_url, 'eth_chainId'), '0x539', `${n.node.name} answers eth_chainId`);
      assert.deepEqual(n.shape, shape);
    }
    await assert.rejects(tf.apply(dir, other.file), /Saved plan is stale/, 'a plan made before the state changed cannot be applied');
    const again = await tf.plan({ dir, vars, planFile: join(mod.root, 'again.tfplan') });
    assert.equal(again.summary.empty, true, 'nothing left to do');
  });

  it('decommission: a targeted destroy plan removes one node only, and its ganache stops', async () => {
    const resources = await tf.stateResources(dir);
    const targets = resources.filter((r) => r.index === 'eth-2').map((r) => r.address);
    assert.deepEqual(targets, ['terraform_data.node["eth-2"]']);
    const saved = await tf.plan({ dir, vars: { env: 'prod', group: 'eth', node_names: ['eth-1'], shape }, planFile: join(mod.root, 'dc.tfplan'), destroyTargets: targets });
    assert.deepEqual([saved.summary.add, saved.summary.change, saved.summary.destroy], [0, 0, 1]);
    await tf.apply(dir, saved.file);
    const read = readOutputContract((await tf.outputs(dir)).values, { env: 'prod', group: 'eth' });
    assert.ok(read.ok);
    assert.deepEqual(read.nodes.map((n) => n.node.name), ['eth-1']);
    assert.equal(await rpc(`http://127.0.0.1:${mod.basePort + 2}`, 'eth_chainId'), undefined, 'eth-2 is stopped');
    assert.equal(await rpc(`http://127.0.0.1:${mod.basePort + 1}`, 'eth_chainId'), '0x539', 'eth-1 still runs');
  });

  it('sensitive outputs and secret-looking provisioner output never reach the log lines', async () => {
    const secret = 'tok-3fQ9xZbW7LmN2pR8sT4vY6uK1';
    await writeFile(join(mod.moduleDir, 'leak.tf'), `output "admin_token" {\n  value     = "${secret}"\n  sensitive = true\n}\nresource "terraform_data" "leak" {\n  provisioner "local-exec" {\n    command = "echo db_password=hunter2hunter2 key AKIAABCDEFGHIJKLMNOP; echo ${secret}"\n  }\n}\n`);
    const leakDir = { moduleDir: mod.moduleDir, workspace: 'dev-leak' };
    const runner = new TerraformRunner({ cliConfigFile: mod.cliConfig });
    await runner.init(leakDir);
    const lines: string[] = [];
    const saved = await runner.plan({ dir: leakDir, vars: { env: 'dev', group: 'leak', node_names: [], shape: null }, planFile: join(mod.root, 'leak.tfplan'), onLine: (l) => lines.push(l) });
    await runner.apply(leakDir, saved.file, (l) => lines.push(l));
    const out = await runner.outputs(leakDir);
    assert.deepEqual(out.sensitive, ['admin_token']);
    // The plan marked the output sensitive, so the runner knew the value before the provisioner echoed it.
    const text = lines.join('\n');
    assert.ok(lines.some((l) => l.includes('db_password=[redacted]')), text);
    assert.doesNotMatch(text, /hunter2hunter2|AKIAABCDEFGHIJKLMNOP/);
    assert.doesNotMatch(text, new RegExp(secret));
    assert.equal(runner.redactor.redact(`token is ${secret}`), 'token is [redacted]', 'a sensitive output is scrubbed once known');
  });

  it('refuses bad variables before any process starts, and names a missing binary plainly', async () => {
    assert.throws(() => varArgs({ env: 'prod', group: 'eth', node_names: ['eth-1; rm -rf /'], shape: null }));
    assert.throws(() => varArgs({ env: 'prod', group: '-chdir=/', node_names: [], shape: null }));
    assert.throws(() => varArgs({ env: 'prod', group: 'eth', node_names: ['a', 'a'], shape: null }));
    assert.deepEqual(varArgs({ env: 'prod', group: 'eth', node_names: ['eth-1'], shape: null }), ['-var=env=prod', '-var=group=eth', '-var=node_names=["eth-1"]', '-var=shape=null']);
    await assert.rejects(tf.plan({ dir, vars: { env: 'prod', group: 'eth', node_names: [], shape: null }, planFile: join(mod.root, 'x.tfplan'), destroyTargets: ['x"]; evil'] }));
    await assert.rejects(new TerraformRunner({ binary: 'tofu-not-installed-here' }).version(), /not found — install Terraform/);
  });
});

describe('examples', () => {
  it('examples/terraform (local and aws) are terraform fmt-clean, and the aws module exposes the output contract', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { readFile } = await import('node:fs/promises');
    const root = join(ROOT, 'examples/terraform');
    const r = await promisify(execFile)('terraform', ['fmt', '-check', '-recursive', '-list=true', root], { env: { ...process.env, TF_CLI_CONFIG_FILE: mod.cliConfig } }).catch((e: { stdout?: string; code?: number }) => e);
    assert.equal((r as { stdout?: string }).stdout ?? '', '', 'files terraform fmt would change');
    const outputs = await readFile(join(root, 'aws/outputs.tf'), 'utf8');
    for (const field of ['name', 'group', 'env', 'ssh_host', 'ssh_port', 'ssh_user', 'ssh_host_key', 'rpc_url', 'shape']) assert.match(outputs, new RegExp(`\\b${field}\\s+=`), field);
    assert.match(await readFile(join(root, 'aws/main.tf'), 'utf8'), /resource "aws_instance" "node" \{\n\s+for_each = local\.nodes/);
  });
});

describe('plan summary, output contract and redaction (pure)', () => {
  it('counts a replacement as one add and one destroy, and ignores no-ops and data sources', () => {
    const { summary } = summarizePlan({
      format_version: '1.2',
      resource_changes: [
        { address: 'a.x', type: 'a', name: 'x', change: { actions: ['delete', 'create'] } },
        { address: 'a.y', type: 'a', name: 'y', change: { actions: ['no-op'] } },
        { address: 'data.b.z', mode: 'data', type: 'b', name: 'z', change: { actions: ['read'] } },
        { address: 'a.w', type: 'a', name: 'w', change: { actions: ['update'] } },
      ],
    });
    assert.deepEqual([summary.add, summary.change, summary.destroy, summary.changes.length], [1, 1, 1, 2]);
  });

  it('the output contract accepts a map keyed by name and refuses miswired or unsafe entries', () => {
    const ok = readOutputContract({ chainops_nodes: { 'eth-7': { group: 'eth', env: 'prod', rpc_url: 'http://10.0.0.7:8545', ssh_host: '10.0.0.7', ssh_port: 22, ssh_user: 'ubuntu', shape: { cpu: 4, instance_type: 'm6i.xlarge' } } } });
    assert.ok(ok.ok);
    assert.deepEqual(ok.nodes[0]!.node.ssh, { host: '10.0.0.7', port: 22, user: 'ubuntu' });
    const bad = readOutputContract({ chainops_nodes: [{ name: 'x;y', group: 'eth', env: 'prod', rpc_url: 'http://u:p@h:1' }, { name: 'eth-1', group: 'btc', env: 'prod', rpc_url: 'http://h:1' }] }, { env: 'prod', group: 'eth' });
    assert.ok(!bad.ok);
    assert.ok(bad.problems.some((p) => /\[0\]\.name/.test(p)));
    assert.ok(bad.problems.some((p) => /prod\/btc/.test(p)));
    const none = readOutputContract({});
    assert.ok(!none.ok && /no output `chainops_nodes`/.test(none.problems[0]!));
  });

  it('redacts keys, tokens, passwords and URL credentials; leaves hashes and paths alone', () => {
    const r = new Redactor(['s3cr3t-output-value']);
    const text = [
      'password: "pa55word!" token=abc123xyz',
      'url https://bob:hunter22@example.com/x',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
      'xoxb-123456789012-abcdefghij Bearer abcdefghijklmnop',
      'out s3cr3t-output-value',
      `plan ${'a'.repeat(64)} /tmp/chainops-tf-AbC123/local/scripts`,
    ].join('\n');
    const out = r.redact(text);
    for (const leak of ['pa55word', 'abc123xyz', 'hunter22', 'AAAA', 'xoxb-123456789012', 'abcdefghijklmnop', 's3cr3t-output-value']) assert.ok(!out.includes(leak), `${leak} leaked: ${out}`);
    assert.ok(out.includes('a'.repeat(64)) && out.includes('/tmp/chainops-tf-AbC123/local/scripts'), out);
  });
});
