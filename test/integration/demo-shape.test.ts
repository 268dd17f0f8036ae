// The demo's own fleet file must not report capacity drift on the machine it runs on (issue #18): its
// SSH hosts are this machine, so the shape it writes is what the host-facts script reads here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { parse } from 'yaml';
import { hostFactsScript, parseHostFacts } from '../../adapters/ssh/host-facts.ts';
import { demoFleet } from '../../src/main/demo.ts';
import { capacityOf, compareCapacity } from '../../src/inventory/drift-report.ts';

test('the demo fleet wants the shape of the machine its SSH hosts run on: no capacity drift', async () => {
  const ssh = { host: '127.0.0.1', port: 2222, user: 'demo', host_key: `ssh-ed25519 ${'A'.repeat(68)}` };
  const text = await demoFleet({}, { nodes: { 'eth-1': { ssh, ansible_vars: {} } } as never, playbook: 'upgrade.yml' });
  const shape = parse(text).groups['eth-devnet'].shape;
  // The same fixed script the workers run over SSH, run here (the demo's hosts are this machine).
  const { stdout } = await promisify(execFile)('sh', ['-c', hostFactsScript('/')]);
  const facts = capacityOf(parseHostFacts(stdout));
  assert.deepEqual(compareCapacity(shape, facts), [], `shape ${JSON.stringify(shape)} vs facts ${JSON.stringify(facts)}`);
  // And the template's fixed shape would have been drift on a machine that is not 2 vCPU / 4 GiB.
  const fixed = { cpu: 2, ram_gib: 4, disk_gib: 50 };
  if (facts.cpus !== 2 || Math.abs((facts.memBytes ?? 0) / 1024 ** 3 - 4) > 0.4) assert.notDeepEqual(compareCapacity(fixed, facts), []);
});
