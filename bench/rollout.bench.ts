// Rollout bench: wall time of a 6-host rolling upgrade through ChainOps (ansible per batch + RPC health
// gates, no soak) against plain `ansible-playbook` doing the same batches with `serial`, in one run on
// the same sshd hosts and demo nodes. Target: ChainOps ≤ 1.2× plain Ansible.
// Run: npm run bench:rollout   (needs ansible-core, openssh-server; fetches ganache 7.9.1 from npm once)
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { AnsiblePlaybookRunner } from '../adapters/ansible/ansible-playbook.runner.ts';
import { startRedisServer } from '../adapters/local/redis-server.process.ts';
import { MemoryAuditLog } from '../adapters/memory/memory-audit.log.ts';
import { MemoryOutbox } from '../adapters/outbox/memory.outbox.ts';
import { RedisRolloutStore } from '../adapters/redis/redis-rollout.store.ts';
import { RedisStateStore } from '../adapters/redis/redis-state.store.ts';
import { createCheckers } from '../adapters/rpc/checker-registry.ts';
import { upgradeProcessor } from '../jobs/upgrade/upgrade.processor.ts';
import { parseFleet } from '../src/fleet/fleet.load.ts';
import { ansibleInventory, knownHosts } from '../src/inventory/ansible-inventory.ts';
import { upgradePlanHash } from '../src/rollout/plan.ts';
import { splitWaves } from '../src/rollout/waves.ts';
import { playbookTreeDigest } from '../src/main/playbook-digest.ts';
import { clientVersion, DEMO_PLAYBOOK, startDemoHosts } from '../adapters/local/demo-hosts.ts';

const run = promisify(execFile);
const V = ['7.9.1', '7.9.2'] as const;
const ROUNDS = Number(process.env['ROUNDS'] ?? 2);

const hosts = await startDemoHosts({ count: 6, version: V[0], releases: [...V] });
const redis = await startRedisServer({ appendonly: false });
const conn = new Redis(redis.url);
try {
  const fleetText = `
version: 1
name: bench
environments: { prod: { thresholds: { max_lag_blocks: 100000000, min_peers: 0 } } }
groups: { demo: { chain: ethereum, network: dev, client: ganache, desired_version: ${V[1]}, rpc: { kind: eth }, playbook: ${DEMO_PLAYBOOK} } }
nodes:
${hosts.nodesYaml('demo', 'prod')}
rollout: { waves: [1, "50%", "100%"], max_unavailable: 2, soak: 0s, health_gate: { consecutive: 2, interval: 250ms, timeout: 60s } }
health: { interval: 30s, timeout: 2s }
`;
  const parsed = parseFleet(fleetText);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const fleet = parsed.fleet;
  const names = fleet.nodes.map((n) => n.name).sort();
  const waves = splitWaves(names, fleet.rollout.waves);
  // The batches ChainOps runs (waves cut to max_unavailable) become plain Ansible's `serial` list.
  const serial = waves.flatMap((w) => { const out: number[] = []; for (let i = 0; i < w.length; i += 2) out.push(Math.min(2, w.length - i)); return out; });

  const prefix = 'bench';
  const state = new RedisStateStore(conn, { prefix });
  const rollouts = new RedisRolloutStore(conn, { prefix });
  const checkers = createCheckers();
  const processor = upgradeProcessor({
    fleet: () => fleet, checkerFor: checkers, state, audit: new MemoryAuditLog(), outbox: new MemoryOutbox(async () => {}),
    clock: { now: () => Date.now() }, logger: { info() {}, warn() {}, error() {}, debug() {} },
    rollouts, playbooks: new AnsiblePlaybookRunner({ privateKeyFile: hosts.keyFile }), fleetDir: hosts.dir, playbookDigest: (p) => playbookTreeDigest(p),
    workerId: 'bench', leaseMs: 30_000,
  });
  const digest = await playbookTreeDigest(DEMO_PLAYBOOK);

  async function viaChainops(version: string, round: number): Promise<number> {
    const id = `up-bench${round}${version.replaceAll('.', '')}`;
    const data = {
      v: 1, rolloutId: id, env: 'prod', group: 'demo', version, targets: names, waves,
      planHash: upgradePlanHash(fleet, { env: 'prod', group: 'demo', version, targets: names, waves, playbookDigest: digest }),
      requestedBy: 'console:bench', approvedBy: [], report: { key: `job:${id}`, conversation: { platform: 'console', channelId: 'bench' } },
    };
    const t0 = performance.now();
    const out = await processor({ id, queue: 'upgrade', data, attempt: 1, progress: async () => {}, log: async () => {} });
    const ms = performance.now() - t0;
    if (out.status !== 'done') throw new Error(`chainops rollout ${id} ended ${out.status}`);
    return ms;
  }

  // Plain Ansible: same playbook, same batches via `serial`, no chain-aware gate.
  const plainPlaybook = join(hosts.dir, 'plain-upgrade.yml');
  writeFileSync(plainPlaybook, readFileSync(DEMO_PLAYBOOK, 'utf8').replace('  hosts: all\n', `  hosts: all\n  serial: ${JSON.stringify(serial)}\n`));
  writeFileSync(join(hosts.dir, 'inventory.yml'), stringify(ansibleInventory(fleet).inventory));
  writeFileSync(join(hosts.dir, 'known_hosts'), knownHosts(fleet.nodes).text);
  async function viaAnsible(version: string): Promise<number> {
    writeFileSync(join(hosts.dir, 'vars.json'), JSON.stringify({ chainops_version: version }));
    const t0 = performance.now();
    await run('ansible-playbook', ['-i', join(hosts.dir, 'inventory.yml'), '-e', `@${join(hosts.dir, 'vars.json')}`, plainPlaybook], {
      env: {
        PATH: process.env['PATH'], HOME: process.env['HOME'], ANSIBLE_PRIVATE_KEY_FILE: hosts.keyFile, ANSIBLE_HOST_KEY_CHECKING: 'True',
        ANSIBLE_SSH_ARGS: `-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=${join(hosts.dir, 'cp-%C')} -o UserKnownHostsFile=${join(hosts.dir, 'known_hosts')} -o StrictHostKeyChecking=yes -o BatchMode=yes`,
        ANSIBLE_PIPELINING: 'True', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'False',
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    return performance.now() - t0;
  }

  const results: Array<{ round: number; chainops: number; ansible: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const chainops = await viaChainops(V[1], r);
    const ok1 = (await Promise.all(hosts.hosts.map((h) => clientVersion(h.rpcUrl)))).every((v) => v?.includes(V[1]));
    const ansible = await viaAnsible(V[0]);
    const ok2 = (await Promise.all(hosts.hosts.map((h) => clientVersion(h.rpcUrl)))).every((v) => v?.includes(V[0]));
    if (!ok1 || !ok2) throw new Error('a run did not leave every node on its version');
    results.push({ round: r + 1, chainops, ansible });
    console.log(`round ${r + 1}: chainops ${(chainops / 1000).toFixed(1)} s (→${V[1]}), plain ansible-playbook ${(ansible / 1000).toFixed(1)} s (→${V[0]}), ratio ${(chainops / ansible).toFixed(2)}×`);
  }
  const sum = (k: 'chainops' | 'ansible') => results.reduce((a, r) => a + r[k], 0);
  const ratio = sum('chainops') / sum('ansible');
  console.log(`\nrollout bench: 6 hosts, batches ${JSON.stringify(serial)}, gates ${fleet.rollout.health_gate.consecutive}×${fleet.rollout.health_gate.interval} ms, no soak`);
  console.log(`chainops mean ${(sum('chainops') / results.length / 1000).toFixed(1)} s · plain ansible mean ${(sum('ansible') / results.length / 1000).toFixed(1)} s · ratio ${ratio.toFixed(2)}× (target ≤ 1.2×) ${ratio <= 1.2 ? 'MET' : 'NOT MET'}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
  await checkers.close();
} finally {
  conn.disconnect();
  await redis.stop();
  await hosts.stop();
}
