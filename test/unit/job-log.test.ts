// `job <id> log` for every kind of job: what the workers record, redacted, read back from chat.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryAlertStore } from '../../adapters/memory/memory-alert.store.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryJobQueue } from '../../adapters/memory/memory.queue.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import type { JobContext } from '../../jobs/job-context.ts';
import { driftProcessor } from '../../jobs/drift/drift.processor.ts';
import { JobReporter } from '../../jobs/provision/job-reporter.ts';
import { remediateProcessor } from '../../jobs/remediate/remediate.processor.ts';
import type { WorkerDeps } from '../../jobs/worker-deps.ts';
import type { Message } from '../../src/chat/message.ts';
import { fleetSchema } from '../../src/fleet/fleet.schema.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import type { SshRunner } from '../../src/ports/ssh.port.ts';

const FLEET = fleetSchema.parse({
  version: 1,
  name: 'job-log',
  environments: { dev: {} },
  groups: { eth: { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: '7.9.2', rpc: { kind: 'eth' } } },
  nodes: [{ name: 'eth-1', group: 'eth', env: 'dev', rpc_url: 'http://127.0.0.1:1', ssh: { host: '10.0.0.1', user: 'ops', host_key: `ssh-ed25519 ${'A'.repeat(68)}` } }],
  roles: { viewer: { console: ['*'] } },
  alerts: { actions: [{ name: 'restart', ssh: ['sudo', 'systemctl', 'restart', 'ganache'] }] },
});
const SECRET = 'hunter2-very-secret';

function harness() {
  const clock = { now: () => Date.UTC(2026, 0, 6, 9, 0, 0) };
  const rollouts = new MemoryRolloutStore();
  const queue = new MemoryJobQueue({ clock });
  const state = new MemoryStateStore({ clock });
  const dispatch = createDispatch({
    fleet: () => FLEET, queue, state, audit: new MemoryAuditLog(), outbox: new MemoryOutbox(), clock, rollouts,
    logger: { info() {}, warn() {}, debug() {}, error() {} }, checkNow: async () => [], newId: () => '000001',
  });
  const say = async (text: string): Promise<Message> => {
    const replies: Message[] = [];
    await dispatch({ kind: 'command', actor: { platform: 'console', id: 'vera', roleIds: [] }, conversation: { platform: 'console', channelId: 'ops' }, text }, async (m) => {
      replies.push(m);
      return undefined;
    });
    assert.equal(replies.length, 1);
    return replies[0]!;
  };
  const logText = (m: Message) => m.blocks.flatMap((b) => (b.type === 'code' ? [b.text] : [])).join('\n');
  const job = (id: string, queueName: JobContext<unknown>['queue'], data: unknown): JobContext<unknown> =>
    ({ id, queue: queueName, data, attempt: 1, progress: async () => {}, log: async () => {} });
  return { clock, rollouts, queue, state, say, logText, job };
}

describe('job <id> log for every kind', () => {
  it('remediation: the command, its output and the outcome, secrets redacted', async () => {
    const h = harness();
    const ssh: SshRunner = {
      run: async () => ({ code: 0, stdout: `restarted\npassword=${SECRET}\n`, stderr: '', durationMs: 800, timedOut: false }),
      hostFacts: async () => ({ cpus: 1, memTotalMiB: 1, memAvailableMiB: 1, diskTotalGiB: 1, diskUsedPct: 1, load1: 0 }),
    };
    const processor = remediateProcessor({
      fleet: () => FLEET, checkerFor: () => ({ check: async () => { throw new Error('not used'); } }), state: h.state, audit: new MemoryAuditLog(),
      outbox: new MemoryOutbox(), clock: h.clock, alerts: new MemoryAlertStore({ clock: h.clock }), ssh, rollouts: h.rollouts,
      logger: { info() {}, warn() {}, error() {}, debug() {} },
    });
    await processor(h.job('rm-abcdef0123', 'remediate', { v: 1, node: 'eth-1', action: 'restart', trigger: 'manual', requestedBy: 'console:carol' }));
    const reply = await h.say('job rm-abcdef0123 log');
    const text = h.logText(reply);
    assert.match(reply.text, /Log of rm-abcdef0123/);
    assert.match(text, /\$ sudo systemctl restart ganache/);
    assert.match(text, /restarted/);
    assert.match(text, /ok: restart on eth-1/);
    assert.doesNotMatch(text, new RegExp(SECRET));
    assert.doesNotMatch((await h.rollouts.tailLog('rm-abcdef0123', 100)).join('\n'), new RegExp(SECRET), 'redacted before it is stored');
  });

  it('provision / decommission: the Terraform lines the job reporter streams', async () => {
    const h = harness();
    const dir = await mkdtemp(join(tmpdir(), 'chainops-job-log-'));
    try {
      for (const id of ['pv-abcdef0123', 'dc-abcdef0123']) {
        const deps = { rollouts: h.rollouts, clock: h.clock, outbox: new MemoryOutbox() } as unknown as WorkerDeps;
        const reporter = new JobReporter(deps, h.job(id, 'provision', {}), { key: `job:${id}`, conversation: { platform: 'console', channelId: 'ops' } }, 'terraform', join(dir, `${id}.log`));
        reporter.line(`terraform_data.node["eth-9"]: Creating... (${id})`);
        await reporter.flush();
        const text = h.logText(await h.say(`job ${id} log`));
        assert.match(text, new RegExp(`Creating\\.\\.\\. \\(${id}\\)`));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('drift: the job records its findings under its own dr- log id, returned in its result', async () => {
    const h = harness();
    const deps = {
      fleet: () => FLEET, state: h.state, clock: h.clock, rollouts: h.rollouts, outbox: new MemoryOutbox(),
      checkerFor: () => ({ check: async () => ({ node: 'eth-1', group: 'eth', env: 'dev', chain: 'ethereum', network: 'devnet', at: h.clock.now(), reachable: true, version: '7.9.1', head: 1, peers: 0, latencyMs: 1, warnings: [] }) }),
    } as unknown as WorkerDeps;
    const result = await driftProcessor(deps)(h.job('repeat:drift-daily:1767690000000', 'drift', { v: 1, skipTerraform: true, report: { key: 'job:x', conversation: { platform: 'console', channelId: 'ops' } } })) as { log: string };
    assert.match(result.log, /^dr-[a-z0-9]{4,32}$/);
    const text = h.logText(await h.say(`job ${result.log} log`));
    assert.match(text, /drift: found — versions: eth-1/);
  });

  it('drift (scheduled, id from BullMQ\'s scheduler): its log id is in `jobs` and readable; rollouts and their retries too', async () => {
    const h = harness();
    h.queue.run('drift', async () => ({ log: 'dr-mk2a9c01', drift: false }));
    await h.queue.enqueue('drift', 'repeat:drift-daily:1767690000000', { v: 1 });
    await h.queue.idle();
    await h.rollouts.appendLog('dr-mk2a9c01', ['2026-01-06T09:00:00.000Z drift: none']);
    const jobs = await h.say('jobs --all');
    assert.match(JSON.stringify(jobs.blocks), /log: `job dr-mk2a9c01 log`/);
    assert.match(h.logText(await h.say('job dr-mk2a9c01 log')), /drift: none/);

    await h.rollouts.appendLog('up-abcdef0123', [`ansible-playbook on eth-1 → 7.9.2 token=${SECRET}`]);
    await h.queue.enqueue('upgrade', 'rt-abcdef0123x', { rolloutId: 'up-abcdef0123' });
    for (const id of ['up-abcdef0123', 'rt-abcdef0123x']) {
      const text = h.logText(await h.say(`job ${id} log`));
      assert.match(text, /ansible-playbook on eth-1/);
      assert.doesNotMatch(text, new RegExp(SECRET), 'shown redacted');
    }
    assert.match((await h.say('job rm-nothing0000 log')).text, /no job or log `rm-nothing0000`/);
  });
});
