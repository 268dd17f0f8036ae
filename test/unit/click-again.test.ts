// "Do it again" buttons (Restart node, Run diagnostics) modelled with real Slack `block_actions`
// payloads: Slack sends a new trigger_id for every click and the same payload when it re-delivers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryAlertStore } from '../../adapters/memory/memory-alert.store.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryJobQueue } from '../../adapters/memory/memory.queue.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import { fromBlockAction } from '../../adapters/slack/slack-events.ts';
import { blockActionsSchema } from '../../adapters/slack/slack-payloads.schema.ts';
import type { Message } from '../../src/chat/message.ts';
import { fleetSchema } from '../../src/fleet/fleet.schema.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import { alertRecord } from '../helpers/alert-store.contract.ts';
import { blockActions } from '../stand-ins/slack-payloads.ts';

const FLEET = fleetSchema.parse({
  version: 1,
  name: 'click-again',
  environments: { prod: { channels: { slack: 'C0OPS' } } },
  groups: { eth: { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: '7.9.2', rpc: { kind: 'eth' } } },
  nodes: [{ name: 'eth-1', group: 'eth', env: 'prod', rpc_url: 'http://127.0.0.1:1', ssh: { host: '10.0.0.1', user: 'chainops', host_key: `ssh-ed25519 ${'A'.repeat(68)}` } }],
  roles: { operator: { slack: ['T0STANDIN/U0CAROL'] } },
  alerts: { actions: [{ name: 'restart', ssh: ['sudo', 'systemctl', 'restart', 'ganache'] }] },
});

function harness() {
  let now = Date.UTC(2026, 0, 6, 9, 0, 0);
  const clock = { now: () => now };
  const state = new MemoryStateStore({ clock });
  const alerts = new MemoryAlertStore({ clock });
  const queue = new MemoryJobQueue({ clock });
  const runs: string[] = [];
  queue.run('remediate', async (job) => {
    runs.push(job.id);
    return { ok: true };
  });
  let seq = 0;
  const dispatch = createDispatch({
    fleet: () => FLEET, queue, state, audit: new MemoryAuditLog(), outbox: new MemoryOutbox(), clock, alerts,
    logger: { info() {}, warn() {}, debug() {}, error() {} }, checkNow: async () => [], newId: () => `id${++seq}`.padEnd(8, '0'), rollouts: new MemoryRolloutStore(),
  });
  /** What the Slack listener does with a payload: parse, claim the delivery, dispatch. */
  async function deliver(payload: Record<string, unknown>): Promise<Message[] | 'dropped'> {
    const d = fromBlockAction(blockActionsSchema.parse(payload))!;
    if (!(await state.claimOnce(d.key, d.ttlMs))) return 'dropped';
    const replies: Message[] = [];
    await dispatch(d.event, async (m) => {
      replies.push(m);
      return undefined;
    });
    return replies;
  }
  return { queue, alerts, runs, deliver, tick: (ms: number) => void (now += ms) };
}

describe('Restart node / Run diagnostics run on every click (Slack payloads)', () => {
  it('a second click after the first restart finished runs a second restart; a re-delivered payload and a double click run nothing more', async () => {
    const h = harness();
    await h.alerts.create(alertRecord('al-fire0001', {
      key: 'unreachable@eth-1', rule: 'unreachable', node: 'eth-1', group: 'eth', state: 'firing', posted: true,
      targets: [{ platform: 'slack', channelId: 'C0OPS' }], actions: ['diagnose', 'restart'], summary: 'unreachable',
    }));
    const click = () => blockActions({ actionId: 'alert-run', value: 'restart eth-1 --alert al-fire0001', user: 'U0CAROL', messageTs: '1700000000.000100' });

    const first = click();
    const r1 = await h.deliver(first);
    assert.notEqual(r1, 'dropped');
    assert.match((r1 as Message[])[0]!.text, /Queued restart on eth-1 \(job rm-[0-9a-f]{10}\)/);
    await h.queue.idle();
    assert.equal(h.runs.length, 1);

    // A true double click: another click on the same button a moment later is dropped.
    h.tick(1_000);
    assert.equal(await h.deliver(click()), 'dropped');

    // Slack re-delivers the first payload after the double-click window: same click, same job, no second run.
    h.tick(10_000);
    const again = await h.deliver(first);
    assert.match((again as Message[])[0]!.text, /already queued as rm-/);
    await h.queue.idle();
    assert.equal(h.runs.length, 1);

    // Hours later the node needs another restart: a new click is a new run.
    h.tick(3 * 3_600_000);
    const r2 = await h.deliver(click());
    assert.match((r2 as Message[])[0]!.text, /Queued restart on eth-1/);
    await h.queue.idle();
    assert.equal(h.runs.length, 2);
    assert.notEqual(h.runs[0], h.runs[1]);
    assert.deepEqual(h.queue.jobs('remediate').map((j) => j.state), ['completed', 'completed']);
  });
});
