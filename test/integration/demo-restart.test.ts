// The demo's nodes can be brought back from chat (issue #18): its fleet file defines a `restart` action
// for the Ethereum group (the "Restart node" button), and that playbook really restarts a demo node
// that died — a real sshd host, real ansible-playbook, real ganache.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { AnsiblePlaybookRunner } from '../../adapters/ansible/ansible-playbook.runner.ts';
import { clientVersion, DEMO_RESTART_PLAYBOOK, startDemoHosts, type DemoHosts } from '../../adapters/local/demo-hosts.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { actionFor, actionNames } from '../../src/alerts/remediation.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import { DEMO_ETH_OLD, demoFleet } from '../../src/main/demo.ts';

let hosts: DemoHosts;

before(async () => {
  hosts = await startDemoHosts({ count: 1, version: DEMO_ETH_OLD, releases: [DEMO_ETH_OLD], prefix: 'eth' });
});
after(async () => {
  await hosts?.stop();
});

test('a demo node that died comes back through the fleet file\'s restart action', async () => {
  const host = hosts.hosts[0]!;
  const text = await demoFleet({ [host.name]: host.rpcUrl }, { nodes: { [host.name]: hosts.settings(host) }, playbook: 'upgrade.yml' });
  const parsed = parseFleet(text);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
  const fleet = parsed.fleet;
  const node = fleet.nodes.find((n) => n.name === host.name)!;
  assert.ok(actionNames(fleet, node).includes('restart'), 'the alert shows Restart node for the demo node');
  const action = actionFor(fleet, 'restart', node);
  assert.deepEqual(action && action.kind === 'playbook' ? action.playbook : undefined, 'restart.yml');

  await promisify(execFile)(join(host.ssh.root, 'bin/nodectl'), ['stop', host.ssh.root, String(host.rpcPort)]);
  assert.equal(await clientVersion(host.rpcUrl), undefined, 'the node is down');
  const result = await new AnsiblePlaybookRunner({ privateKeyFile: hosts.keyFile }).run({ fleet, playbook: DEMO_RESTART_PLAYBOOK, nodes: [node], extraVars: {} });
  assert.equal(result.ok, true, JSON.stringify(result.failures));
  const version = await waitFor(() => clientVersion(host.rpcUrl), { what: 'the restarted node', timeoutMs: 45_000 });
  assert.match(version, new RegExp(`v${DEMO_ETH_OLD.replace(/\./g, '\\.')}`), 'same version as before the restart');
});
