import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnsiblePlaybookRunner } from '../../adapters/ansible/ansible-playbook.runner.ts';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { startSshd, type SshdHost } from '../../adapters/local/sshd.process.ts';
import { NodeSshRunner } from '../../adapters/ssh/ssh-runner.ts';
import { remediateProcessor } from '../../jobs/remediate/remediate.processor.ts';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { alertHarness, type AlertHarness } from '../helpers/alert-harness.ts';

// `run <action> <node> --dry-run` against a real sshd host: an SSH command is shown and SSH checked,
// a playbook runs with --check --diff; the host's files prove nothing changed. The real run after
// each dry run (same action, same host) shows the test would see a change if one happened.
let host: SshdHost;
let eth: GanacheHandle;
let h: AlertHarness;
let fleetDir: string;

const fleetOf = (): Fleet => fleetSchema.parse({
  version: 1,
  name: 'run-dry-run',
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
    actions: [{ name: 'restart', ssh: ['mktemp', `${host.root}/restart.XXXXXX`] }, { name: 'resync', playbook: 'playbooks/resync.yml' }],
  },
});
const restarts = () => readdirSync(host.root).filter((f) => f.startsWith('restart.')).length;
const result = (what: RegExp, timeoutMs = 60_000) => h.sweepUntil(() => h.calls.find((c) => c.op === 'update' && what.test(c.message.text)), `${what}`, timeoutMs);

before(async () => {
  [host, eth] = await Promise.all([startSshd(), startGanache()]);
  fleetDir = await mkdtemp(join(tmpdir(), 'chainops-run-dry-'));
  await mkdir(join(fleetDir, 'playbooks'));
  await writeFile(join(fleetDir, 'playbooks', 'resync.yml'), [
    '- hosts: all',
    '  gather_facts: false',
    '  tasks:',
    '    - name: mark the node resynced',
    '      ansible.builtin.copy: { dest: "{{ marker_dir }}/resynced-{{ chainops_node }}", content: "resynced\\n" }',
    '',
  ].join('\n'));
  h = await alertHarness(fleetOf(), { ssh: new NodeSshRunner({ keyFile: host.keyFile }), paceMs: 300 });
  h.queue.run('remediate', remediateProcessor({ ...h.deps, playbooks: new AnsiblePlaybookRunner({ privateKeyFile: host.keyFile }), fleetDir }));
});
after(async () => {
  await h?.close();
  await Promise.all([host?.stop(), eth?.stop()]);
  if (fleetDir) await rm(fleetDir, { recursive: true, force: true });
});

describe('run --dry-run changes nothing on the host', { concurrency: false }, () => {
  it('an SSH action: the command is shown and SSH checked, not run; the real run then runs it', async () => {
    assert.equal(restarts(), 0);
    h.type('run restart eth-1 --dry-run');
    const dry = await result(/dry run of restart on eth-1/);
    assert.match(dry.message.text, /would run `mktemp .*restart\.XXXXXX` over SSH — the node answers over SSH with its pinned host key; nothing was run/);
    assert.equal(restarts(), 0, 'nothing ran on the host');
    h.type('run restart eth-1');
    await result(/✅ restart on eth-1: `mktemp .*` exited 0/);
    assert.equal(restarts(), 1, 'the real run does run (the check above would have seen it)');
  });

  it('a playbook action: ansible-playbook --check --diff shows the change and makes none; the real run makes it', async () => {
    const marker = join(host.root, 'resynced-eth-1');
    h.type('run resync eth-1 --dry-run');
    const dry = await result(/dry run of resync on eth-1/);
    assert.match(dry.message.text, /ansible-playbook --check --diff playbooks\/resync\.yml would change 1 task\(s\); nothing was changed/, dry.message.text);
    assert.ok(JSON.stringify(dry.message.blocks).includes('resynced'), 'the diff is shown');
    assert.equal(existsSync(marker), false, 'check mode wrote nothing on the host');
    h.type('run resync eth-1');
    await result(/resync on eth-1: playbook playbooks\/resync\.yml succeeded/);
    assert.ok(existsSync(marker), 'the real run wrote the file');
  });

  it('a viewer may not dry-run either: the dry run needs the same role as the change', async () => {
    const before = h.output().length;
    h.type('/as vera');
    h.type('run restart eth-1 --dry-run');
    await h.sweepUntil(() => (/`run` needs the operator role; you are a viewer/.test(h.output().slice(before)) ? true : undefined), 'the refusal');
    h.type('/as carol');
    assert.equal(restarts(), 1);
  });
});
