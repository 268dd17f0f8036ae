import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryAlertStore } from '../../adapters/memory/memory-alert.store.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryJobQueue } from '../../adapters/memory/memory.queue.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { remediateJob } from '../../src/jobs/job-data.schema.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import type { CoreDeps } from '../../src/pipeline/deps.ts';
import { alertRecord } from '../helpers/alert-store.contract.ts';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

const FLEET: Fleet = fleetSchema.parse({
  version: 1,
  name: 'alert-commands',
  environments: { prod: { channels: { console: 'ops' } } },
  groups: {
    eth: { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: '7.9.2', rpc: { kind: 'eth' } },
    // A group named like a node, so `silence` needs `--kind`.
    'eth-2': { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: '7.9.2', rpc: { kind: 'eth' } },
  },
  nodes: [
    { name: 'eth-1', group: 'eth', env: 'prod', rpc_url: 'http://127.0.0.1:1', ssh: { host: '10.0.0.1', user: 'chainops', host_key: `ssh-ed25519 ${'A'.repeat(68)}` } },
    { name: 'eth-2', group: 'eth-2', env: 'prod', rpc_url: 'http://127.0.0.1:2' },
  ],
  roles: { viewer: { console: ['vera'] }, operator: { console: ['carol'] } },
  alerts: { actions: [{ name: 'restart', ssh: ['sudo', 'systemctl', 'restart', 'ganache'] }] },
});

function harness(withAlerts = true) {
  const now = T0;
  const clock = { now: () => now };
  const alerts = new MemoryAlertStore({ clock });
  const queue = new MemoryJobQueue({ clock });
  const outbox = new MemoryOutbox();
  const audit = new MemoryAuditLog();
  const errors: object[] = [];
  let seq = 0;
  const deps: CoreDeps = {
    fleet: () => FLEET, queue, state: new MemoryStateStore({ clock }), audit, outbox, clock,
    logger: { info() {}, warn() {}, debug() {}, error: (o: object) => void errors.push(o) },
    checkNow: async () => [], newId: () => `id${++seq}`.padEnd(8, '0'), rollouts: new MemoryRolloutStore(),
    ...(withAlerts ? { alerts } : {}),
  };
  const dispatch = createDispatch(deps);
  const conversation = { platform: 'console' as const, channelId: 'ops' };
  type Body = { kind: 'command'; text: string } | { kind: 'action'; actionId: string; value: string; deliveryId: string };
  const send = async (user: string, body: Body): Promise<Message[]> => {
    const replies: Message[] = [];
    const event: ChatEvent = { ...body, actor: { platform: 'console', id: user, roleIds: [] }, conversation };
    await dispatch(event, async (m) => {
      replies.push(m);
      return { platform: 'console', channelId: 'ops', messageId: String(replies.length) };
    });
    return replies;
  };
  return {
    alerts, queue, outbox, audit, errors,
    say: (user: string, text: string) => send(user, { kind: 'command', text }),
    click: (user: string, actionId: string, value: string, deliveryId = 'd1') => send(user, { kind: 'action', actionId, value, deliveryId }),
    async firing(extra: Partial<Alert> = {}) {
      const a = alertRecord('al-fire0001', {
        key: 'unreachable@eth-1', rule: 'unreachable', node: 'eth-1', group: 'eth', state: 'firing', firedAt: T0 - 60_000,
        posted: true, targets: [{ platform: 'console', channelId: 'ops' }], actions: ['diagnose', 'restart'], summary: 'unreachable: refused', ...extra,
      });
      await alerts.create(a);
      return a;
    },
  };
}

describe('alert commands and buttons through the pipeline', () => {
  it('`alerts` lists firing and acknowledged alerts and silences, and changes nothing', async () => {
    const h = harness();
    await h.firing();
    await h.alerts.create(alertRecord('al-pend0001', { key: 'lag@eth-2', node: 'eth-2' }));
    const [reply] = await h.say('vera', '/chainops alerts');
    assert.match(reply!.text, /Alerts: 1 firing, 0 acknowledged/);
    const table = reply!.blocks.find((b) => b.type === 'table');
    assert.ok(table && table.type === 'table');
    assert.deepEqual(table.rows.map((r) => r[0]), ['al-fire0001']);
    assert.ok(JSON.stringify(reply!.blocks).includes('1 more being confirmed'));
    assert.equal(h.outbox.items.length, 0);
    assert.equal((await h.audit.latest(10)).length, 0, 'reads are not audited');
  });

  it('`ack` needs an operator, then acknowledges once and edits the root and the thread', async () => {
    const h = harness();
    const a = await h.firing();
    const [refused] = await h.say('vera', `ack ${a.id}`);
    assert.match(refused!.text, /needs the operator role/);
    assert.equal((await h.alerts.get(a.id))!.state, 'firing');

    const [ok] = await h.click('carol', 'ack', a.id);
    assert.match(ok!.text, /Acknowledged al-fire0001/);
    const stored = (await h.alerts.get(a.id))!;
    assert.deepEqual([stored.state, stored.ack?.by], ['acknowledged', 'console:carol']);
    assert.deepEqual(h.outbox.items.map((i) => [i.op, i.key]), [['upsert', 'alert:al-fire0001'], ['thread', 'alert:al-fire0001']]);
    assert.match(h.outbox.items[1]!.message.text, /Acknowledged by console:carol/);
    const [again] = await h.say('carol', `ack ${a.id}`);
    assert.match(again!.text, /already acknowledged by console:carol/);
    const [missing] = await h.say('carol', 'ack al-nothere');
    assert.match(missing!.text, /no alert `al-nothere`/);
    assert.ok((await h.audit.latest(10)).some((e) => e.action === 'alert.ack' && e.actor === 'console:carol'));
    assert.deepEqual(h.errors, []);
  });

  it('Silence 1h button mutes the alert (by key) and says so in its thread', async () => {
    const h = harness();
    const a = await h.firing();
    const [reply] = await h.click('carol', 'alert-silence', `${a.id} 1h`);
    assert.match(reply!.text, /Silenced alert al-fire0001 until 2025-01-06T10:00:00Z \(sl-id1/);
    const [s] = await h.alerts.silences();
    assert.deepEqual([s!.kind, s!.match, s!.until - T0], ['alert', 'unreachable@eth-1', 3_600_000]);
    assert.equal((await h.alerts.get(a.id))!.silence?.id, s!.id);
    assert.match(h.outbox.items.at(-1)!.message.text, /Silenced by console:carol until/);
  });

  it('`silence` of a node, a rule, and a name that is both a node and a group', async () => {
    const h = harness();
    await h.firing();
    assert.match((await h.say('carol', 'silence eth-1 30m --reason "disk swap"'))[0]!.text, /Silenced node eth-1 .* 1 active alert muted/);
    assert.match((await h.say('carol', 'silence lag 2h'))[0]!.text, /Silenced rule lag .* 0 active alerts muted/);
    assert.match((await h.say('carol', 'silence eth-2 1h'))[0]!.text, /names a node and a group — add `--kind node`/);
    assert.match((await h.say('carol', 'silence eth-2 1h --kind group'))[0]!.text, /Silenced group eth-2/);
    assert.match((await h.say('carol', 'silence nothing-here 1h'))[0]!.text, /not an alert id, node, group or alert rule/);
    assert.equal((await h.alerts.silences()).length, 3);
  });

  it('Restart node and Run diagnostics buttons queue one remediate job each, result to the alert thread', async () => {
    const h = harness();
    const a = await h.firing();
    const [restart] = await h.click('carol', 'alert-run', `restart eth-1 --alert ${a.id}`, 'click-1');
    assert.match(restart!.text, /Queued restart on eth-1 \(job rm-[0-9a-f]{10}\); the result goes to the thread of al-fire0001/);
    await h.click('carol', 'alert-run', `restart eth-1 --alert ${a.id}`, 'click-1'); // the platform retried the click
    const [diag] = await h.click('carol', 'alert-run', `diagnose eth-1 --alert ${a.id}`, 'click-2');
    assert.match(diag!.text, /Queued diagnose on eth-1/);
    const jobs = h.queue.jobs('remediate');
    assert.equal(jobs.length, 2);
    const data = remediateJob.parse(jobs[0]!.data);
    assert.deepEqual({ ...data }, { v: 1, node: 'eth-1', action: 'restart', trigger: 'manual', requestedBy: 'console:carol', alertId: a.id, dryRun: false });
    assert.ok(!JSON.stringify(jobs[0]!.data).includes('systemctl'), 'the command stays in the fleet file');
    assert.match(h.outbox.items.find((i) => i.op === 'thread')!.message.text, /console:carol started restart on eth-1/);

    const [viewer] = await h.click('vera', 'alert-run', `restart eth-1 --alert ${a.id}`, 'click-3');
    assert.match(viewer!.text, /`run` needs the operator role; you are a viewer/);
    assert.equal(h.queue.jobs('remediate').length, 2);
  });

  it('`run` refuses unknown actions, nodes without ssh, and alerts about another node', async () => {
    const h = harness();
    const a = await h.firing();
    assert.match((await h.say('carol', 'run reboot eth-1'))[0]!.text, /no action `reboot` for group eth .*defined here: diagnose, restart/);
    assert.match((await h.say('carol', 'run restart eth-2'))[0]!.text, /eth-2 has no `ssh:` settings/);
    assert.match((await h.say('carol', `run diagnose eth-2 --alert ${a.id}`))[0]!.text, /alert al-fire0001 is about eth-1, not eth-2/);
    assert.match((await h.say('carol', 'run "rm -rf" eth-1'))[0]!.text, /an action name is lowercase/);
    const [typed] = await h.say('carol', 'run diagnose eth-2');
    assert.match(typed!.text, /run diagnose on eth-2 — queued/);
    assert.equal(h.queue.jobs('remediate').length, 1);
  });

  it('without an alert store the commands say so plainly', async () => {
    const h = harness(false);
    assert.match((await h.say('vera', 'alerts'))[0]!.text, /alerts are not set up in this process/);
    assert.match((await h.say('carol', 'ack al-abcd1234'))[0]!.text, /alerts are not set up/);
    assert.deepEqual(h.errors, []);
  });
});
