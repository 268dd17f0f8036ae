import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AnsiblePlaybookRunner } from '../../adapters/ansible/ansible-playbook.runner.ts';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { startSshd, type SshdHost } from '../../adapters/local/sshd.process.ts';
import { NodeSshRunner } from '../../adapters/ssh/ssh-runner.ts';
import { remediateProcessor } from '../../jobs/remediate/remediate.processor.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { alertHarness, type AlertHarness } from '../helpers/alert-harness.ts';

// Host facts over a real sshd feed the disk rule; the alert's automatic remediation runs a fleet-file
// command over SSH (pinned host key) once, its per-node cool-down stops a second run when the alert
// fires again, and the Run diagnostics button works from the console.
const run = promisify(execFile);
let host: SshdHost;
let eth: GanacheHandle;
let h: AlertHarness;
let fleetDir: string;

const fleetOf = (diskPct: number): Fleet => fleetSchema.parse({
  version: 1,
  name: 'ssh-remediate',
  environments: { dev: { thresholds: { min_peers: 0 }, channels: { console: 'ops' } } },
  groups: { eth: { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: '7.9.2', rpc: { kind: 'eth' } } },
  nodes: [{
    name: 'eth-1', group: 'eth', env: 'dev', rpc_url: eth.url,
    ssh: { host: host.host, port: host.port, user: host.user, host_key: host.hostKey }, ansible_vars: { marker_dir: host.root },
  }],
  health: { interval: '1s', timeout: '2s' },
  roles: { viewer: { console: ['*'] }, operator: { console: ['carol'] } },
  alerts: {
    reminder: 0,
    rules: [{ name: 'disk-used', when: `disk_used > ${diskPct}%`, severity: 'warning' }],
    actions: [{ name: 'restart', ssh: ['mktemp', `${host.root}/restart.XXXXXX`] }, { name: 'resync', playbook: 'playbooks/resync.yml' }],
    remediation: [{ rule: 'disk-used', action: 'restart', mode: 'auto', cooldown: '10m' }],
  },
});
const restarts = () => readdirSync(host.root).filter((f) => f.startsWith('restart.')).length;
const firingDisk = async () => (await h.firing()).find((a) => a.key === 'disk-used@eth-1');

before(async () => {
  [host, eth] = await Promise.all([startSshd(), startGanache()]);
  fleetDir = await mkdtemp(join(tmpdir(), 'chainops-remediate-'));
  await mkdir(join(fleetDir, 'playbooks'));
  await writeFile(join(fleetDir, 'playbooks', 'resync.yml'), [
    '- hosts: all',
    '  gather_facts: false',
    '  tasks:',
    '    - name: mark the node resynced',
    '      ansible.builtin.file: { path: "{{ marker_dir }}/resynced-{{ chainops_node }}", state: touch }',
    '',
  ].join('\n'));
  h = await alertHarness(fleetOf(1), { ssh: new NodeSshRunner({ keyFile: host.keyFile }), paceMs: 300 });
  h.queue.run('remediate', remediateProcessor({ ...h.deps, playbooks: new AnsiblePlaybookRunner({ privateKeyFile: host.keyFile }), fleetDir }));
});
after(async () => {
  await h?.close();
  await Promise.all([host?.stop(), eth?.stop()]);
  if (fleetDir) await rm(fleetDir, { recursive: true, force: true });
});

describe('remediation over SSH', { concurrency: false }, () => {
  let first: Alert;

  it('host facts gathered over SSH fire the disk rule; its automatic remediation runs once, in the alert thread', async () => {
    await h.sweep();
    await h.hostSweep();
    const [snap] = await h.state.getSnapshots(['eth-1']);
    const df = (await run('df', ['-P', '-k', '/'])).stdout.trim().split('\n')[1]!.split(/\s+/);
    assert.ok(Math.abs(snap!.host!.facts!.diskUsedPct - Number(df[4]!.replace('%', ''))) <= 1, 'disk use as df reports it');
    first = await h.sweepUntil(firingDisk, 'the disk alert');
    assert.match(first.summary, /^disk used \d+% > 1%$/);
    await h.queue.idle();
    assert.equal(restarts(), 1, 'the fleet-file command ran on the host once');
    const root = (await h.root(first))!;
    const thread = h.thread(root).map((m) => m.text);
    assert.ok(thread.some((t) => /Automatic remediation: restart on eth-1/.test(t)), thread.join(' | '));
    assert.ok(thread.some((t) => /✅ restart on eth-1: `mktemp .*restart\.XXXXXX` exited 0/.test(t)), thread.join(' | '));
    const audit = (await h.audit.latest(50)).map((e) => `${e.action}:${e.outcome}`);
    for (const want of ['job.enqueue:ok', 'job.start:pending', 'job.end:ok', 'alert.fire:ok']) assert.ok(audit.includes(want), `${want} in ${audit.join(', ')}`);
  });

  it('the alert resolves and fires again: the cool-down keeps the action from running a second time', async () => {
    h.setFleet(fleetOf(99));
    await h.sweepUntil(async () => !(await firingDisk()), 'the disk alert to resolve');
    h.setFleet(fleetOf(1));
    const again = await h.sweepUntil(firingDisk, 'the disk alert again');
    assert.notEqual(again.id, first.id);
    await h.queue.idle();
    assert.equal(restarts(), 1, 'not run again');
    const thread = h.thread((await h.root(again))!).map((m) => m.text);
    assert.ok(thread.some((t) => /did not run: cool-down: restart already ran on eth-1 within the last 10m/.test(t)), thread.join(' | '));
    assert.ok((await h.audit.latest(50)).some((e) => e.outcome === 'refused' && e.actor === 'system'));
  });

  it('Run diagnostics from the alert\'s buttons in the console: host facts and a fresh RPC check in the thread', async () => {
    const alert = (await firingDisk())!;
    const button = await h.button(alert, 'Run diagnostics');
    assert.ok(button, h.output().slice(-2_000));
    h.type(button);
    const root = (await h.root(alert))!;
    const reply = await h.sweepUntil(() => h.thread(root).find((m) => /diagnostics of eth-1/.test(m.text)), 'the diagnostics in the thread');
    const code = reply.blocks.find((b) => b.type === 'code');
    assert.ok(code && code.type === 'code');
    const cpus = (await run('getconf', ['_NPROCESSORS_ONLN'])).stdout.trim();
    assert.match(code.text, new RegExp(`host: ${cpus} CPUs`));
    assert.match(code.text, /rpc: ganache 7\.9\.2 · head \d+/);

    // Restart node asks first (n! confirms), then runs as carol — a manual run is not held by the cool-down.
    const restart = await h.button(alert, 'Restart node');
    assert.ok(restart, h.output().slice(-2_000));
    h.type(restart);
    h.type(`${restart}!`);
    await h.sweepUntil(() => restarts() === 2, 'the manual restart');
    assert.ok((await h.audit.latest(50)).some((e) => e.action === 'job.end' && e.actor === 'console:carol' && e.outcome === 'ok'));
  });

  it('a playbook action runs through the Ansible runner on that node only (`run resync eth-1`)', async () => {
    h.type('run resync eth-1');
    const done = await h.sweepUntil(() => h.calls.find((c) => c.op === 'update' && /resync on eth-1: playbook playbooks\/resync\.yml/.test(c.message.text)), 'the playbook result', 60_000);
    assert.match(done.message.text, /succeeded/, done.message.text);
    assert.ok(existsSync(join(host.root, 'resynced-eth-1')), 'the playbook ran on the host');
  });
});
