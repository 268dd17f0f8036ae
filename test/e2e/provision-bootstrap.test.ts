import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { startSshd, type SshdHost } from '../../adapters/local/sshd.process.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import { createRuntime, type Runtime } from '../../src/main/runtime.ts';
import { startWorkerRole } from '../../src/main/worker.role.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import { localModule, requireTerraform, rpc, until, type LocalModule } from '../integration/terraform-fixture.ts';

// After the apply, new nodes whose outputs carry an SSH address and host key are bootstrapped with the
// group's playbook by the real ansible-playbook over a real sshd, then held at the health gate.
let redis: RedisServerHandle;
let mod: LocalModule;
let sshd: SshdHost;
let rt: Runtime;
let worker: { close(): Promise<void> };

before(async () => {
  await requireTerraform();
  redis = await startRedisServer({ appendonly: false });
  sshd = await startSshd();
  mod = await localModule();
  // The local module, with each node reachable over SSH at the test's sshd (an override of its output).
  await writeFile(join(mod.moduleDir, 'test_ssh.tf'), 'variable "test_ssh" {\n  type = object({ host = string, port = number, user = string, host_key = string })\n}\n');
  await writeFile(join(mod.moduleDir, 'outputs_override.tf'), `output "chainops_nodes" {
  value = [for name, node in terraform_data.node : {
    name = name, group = var.group, env = var.env, shape = var.shape,
    rpc_url = "http://127.0.0.1:\${node.output.port}",
    ssh_host = var.test_ssh.host, ssh_port = var.test_ssh.port, ssh_user = var.test_ssh.user, ssh_host_key = var.test_ssh.host_key
  }]
}
`);
  await appendFile(join(mod.moduleDir, 'terraform.tfvars'), `test_ssh = { host = "127.0.0.1", port = ${sshd.port}, user = "${sshd.user}", host_key = "${sshd.hostKey}" }\n`);
  await writeFile(join(mod.root, 'bootstrap.yml'), `- name: Bootstrap
  hosts: all
  gather_facts: false
  tasks:
    - name: Mark the host bootstrapped with the desired version
      ansible.builtin.copy:
        content: "{{ chainops_node }} {{ chainops_version }} {{ chainops_bootstrap }}"
        dest: "${sshd.root}/{{ chainops_node }}.bootstrapped"
        mode: "0644"
`);
  const fleetPath = join(mod.root, 'chainops.yaml');
  await writeFile(fleetPath, `version: 1
name: bootstrap
environments:
  dev: { approval: { required: 0 }, thresholds: { min_peers: 0 } }
groups:
  eth-boot:
    chain: ethereum
    network: devnet
    client: ganache
    desired_version: 7.9.2
    rpc: { kind: eth }
    playbook: bootstrap.yml
    terraform: { module: local }
terraform: { dir: . }
rollout: { health_gate: { consecutive: 2, interval: 1s, timeout: 60s } }
health: { interval: 5s, timeout: 3s }
roles:
  operator: { console: [carol] }
`);
  process.env['CHAINOPS_SSH_KEY_FILE'] = sshd.keyFile;
  process.env['METRICS_PORT'] = '0';
  rt = await createRuntime({ redisUrl: redis.url, prefix: `t-${randomUUID().slice(0, 8)}`, fleetPath, logger: pino({ level: 'silent' }), fleetGit: null, fleetPollMs: 200 });
  worker = await startWorkerRole(rt, { concurrency: 1, sshKeyFile: sshd.keyFile });
});

after(async () => {
  await worker?.close();
  await rt?.close();
  await mod?.cleanup();
  await sshd?.stop();
  await redis?.stop();
});

test('a provisioned node is bootstrapped with the group playbook over SSH (pinned host key), then passes the health gate', async () => {
  const event: ChatEvent = { kind: 'command', actor: { platform: 'console', id: 'carol', roleIds: [] }, conversation: { platform: 'console', channelId: 'console' }, text: '/chainops provision eth-boot --env dev' };
  await createDispatch(rt.core)(event, async () => undefined);
  const job = await until(async () => {
    const j = (await rt.queue.list(10)).find((x) => x.queue === 'provision');
    return j && (j.state === 'completed' || j.state === 'failed') ? j : undefined;
  }, 'the provision job', 180_000);
  assert.equal(job.state, 'completed', job.failedReason);
  const result = job.result as { applied: boolean; created: string[]; bootstrap: string; health: Array<{ node: string; ok: boolean }> };
  assert.deepEqual(result.created, ['eth-boot-1']);
  assert.match(result.bootstrap, /^bootstrap\.yml ran on eth-boot-1$/);
  assert.equal(await readFile(join(sshd.root, 'eth-boot-1.bootstrapped'), 'utf8'), 'eth-boot-1 7.9.2 True');
  assert.deepEqual(result.health.map((h) => [h.node, h.ok]), [['eth-boot-1', true]]);
  const node = rt.fleet().nodes.find((n) => n.name === 'eth-boot-1');
  assert.deepEqual(node?.ssh, { host: '127.0.0.1', port: sshd.port, user: sshd.user, host_key: sshd.hostKey });
  assert.equal(await rpc(node!.rpc_url, 'eth_chainId'), '0x539');
});
