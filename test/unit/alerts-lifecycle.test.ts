import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertOutboxItems } from '../../src/alerts/alert-outbox.ts';
import type { Alert, AlertNotice, Silence } from '../../src/alerts/alert.types.ts';
import { evaluate } from '../../src/alerts/evaluate.ts';
import { acknowledge, muteAlert } from '../../src/alerts/lifecycle.ts';
import { alertTargets } from '../../src/alerts/routing.ts';
import { fleetSchema, type Fleet, type FleetInput } from '../../src/fleet/fleet.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { alertMessage } from '../../src/render/alert.message.ts';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const S = 1_000;
const MIN = 60_000;

function fleetOf(alerts: FleetInput['alerts'] = undefined, extra: Partial<FleetInput> = {}): Fleet {
  return fleetSchema.parse({
    version: 1,
    name: 'alerts',
    environments: {
      prod: { thresholds: { max_lag_blocks: 5, max_head_age: '60s', min_peers: 2 }, channels: { console: 'ops', slack: 'C0PROD' } },
      dev: { thresholds: { max_lag_blocks: 2, max_head_age: '5m', min_peers: 0 }, channels: { console: 'dev-ops' } },
    },
    groups: {
      eth: { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: '7.9.2', rpc: { kind: 'eth' } },
      ltc: { chain: 'litecoin', network: 'regtest', client: 'litecoind', desired_version: '0.21.2.1', rpc: { kind: 'bitcoin' } },
    },
    nodes: [
      { name: 'eth-1', group: 'eth', env: 'prod', rpc_url: 'http://127.0.0.1:1' },
      { name: 'eth-2', group: 'eth', env: 'prod', rpc_url: 'http://127.0.0.1:2' },
      { name: 'eth-3', group: 'eth', env: 'prod', rpc_url: 'http://127.0.0.1:3', ssh: { host: '10.0.0.3', user: 'chainops', host_key: `ssh-ed25519 ${'A'.repeat(68)}` } },
      { name: 'ltc-1', group: 'ltc', env: 'dev', rpc_url: 'http://127.0.0.1:4' },
      { name: 'ltc-2', group: 'ltc', env: 'dev', rpc_url: 'http://127.0.0.1:5' },
    ],
    ...(alerts ? { alerts } : {}),
    ...extra,
  });
}

/** The alert engine as the worker drives it, with its store kept in memory and a clock the test moves. */
function engine(fleet: Fleet) {
  let now = T0;
  let seq = 0;
  const store = new Map<string, Alert>();
  const silences: Silence[] = [];
  const notices: AlertNotice[] = [];
  const remedies: Alert[] = [];
  let heads = { eth: 1_000, ltc: 500 };
  let headTime = { eth: T0, ltc: T0 };
  const override = new Map<string, Partial<Snapshot>>();
  const maintenance = new Map<string, string>();
  const snap = (name: string): Snapshot => {
    const n = fleet.nodes.find((x) => x.name === name)!;
    const g = fleet.groups[n.group]!;
    const k = n.group as 'eth' | 'ltc';
    return {
      node: name, group: n.group, env: n.env, chain: g.chain, network: g.network, at: now, reachable: true,
      version: g.desired_version, syncing: false, head: heads[k], headTime: headTime[k], peers: 5, latencyMs: 3, warnings: [],
      ...override.get(name),
    };
  };
  const sweep = (only?: ReadonlySet<string>) => {
    const snapshots = fleet.nodes.map((n) => snap(n.name));
    const active = [...store.values()].filter((a) => a.state !== 'resolved');
    const changes = evaluate({ fleet, health: assessFleet(fleet, snapshots, now), now, active, silences, maintenance, ...(only ? { only } : {}), newId: () => (++seq).toString(36).padStart(6, '0') });
    for (const c of changes) {
      if (c.after === null) store.delete(c.before!.id);
      else store.set(c.after.id, { ...c.after, rev: (c.before?.rev ?? -1) + 1 });
      notices.push(...c.notices);
      if (c.autoRemedy && c.after) remedies.push(c.after);
    }
    return changes;
  };
  return {
    store, silences, notices, remedies, override, maintenance,
    now: () => now,
    tick(ms: number) {
      now += ms;
      // Both chains produce a block every second unless stalled.
      heads = { eth: heads.eth + ms / S, ltc: heads.ltc + ms / S };
      headTime = { eth: now, ltc: now };
    },
    wait(ms: number) { now += ms; },
    stall(chain: 'eth' | 'ltc', ms: number) { now += ms; headTime = { ...headTime, [chain]: headTime[chain] }; },
    sweep,
    /** Sweep every `every` ms, `n` times, with blocks flowing. */
    sweeps(n: number, every = 10 * S) { for (let i = 0; i < n; i++) { this.tick(every); sweep(); } },
    active: () => [...store.values()].filter((a) => a.state !== 'resolved'),
    firing: () => [...store.values()].filter((a) => a.state === 'firing' || a.state === 'acknowledged'),
    byKey: (key: string) => [...store.values()].find((a) => a.key === key && a.state !== 'resolved'),
  };
}

describe('alert lifecycle over sweeps', () => {
  it('a healthy fleet raises nothing over many sweeps', () => {
    const e = engine(fleetOf());
    e.sweeps(10);
    assert.deepEqual([...e.store.values()], []);
    assert.deepEqual(e.notices, []);
  });

  it('one slow reply never pages: pending, then forgotten without a word', () => {
    const e = engine(fleetOf());
    e.override.set('eth-2', { reachable: false, error: 'check did not finish within 6000 ms', head: undefined, headTime: undefined });
    e.sweeps(1);
    assert.equal(e.byKey('unreachable@eth-2')?.state, 'pending');
    e.override.clear();
    e.sweeps(1);
    assert.deepEqual([...e.store.values()], []);
    assert.deepEqual(e.notices, []);
  });

  it('fires after K results in a row, posts to the environment channels, resolves in the same thread', () => {
    const e = engine(fleetOf());
    e.override.set('eth-2', { reachable: false, error: 'connection refused', head: undefined, headTime: undefined });
    e.sweeps(2);
    const a = e.byKey('unreachable@eth-2')!;
    assert.equal(a.state, 'firing');
    assert.equal(a.severity, 'critical');
    assert.match(a.id, /^al-[a-z0-9]{6,}$/);
    assert.deepEqual(a.targets, [{ platform: 'slack', channelId: 'C0PROD' }, { platform: 'console', channelId: 'ops' }]);
    assert.deepEqual(e.notices.map((n) => n.kind), ['fired']);
    const fired = alertOutboxItems(e.notices[0]!, e.now());
    assert.deepEqual(fired.map((i) => [i.op, i.key, i.conversation.channelId]), [
      ['upsert', `alert:${a.id}`, 'C0PROD'], ['upsert', `alert:${a.id}:console:ops`, 'ops'],
      // The KPI chart in the thread: what to draw; its data is read from the history at delivery.
      ['thread', `alert:${a.id}`, 'C0PROD'], ['thread', `alert:${a.id}:console:ops`, 'ops'],
    ]);
    const chart = fired[2]!.message.attachments?.[0];
    assert.equal(chart?.request.kpi, 'head');
    assert.deepEqual(chart?.request.nodes, ['eth-2']);
    assert.deepEqual(chart?.request.shade, { from: a.since });
    const buttons = fired[0]!.message.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])).map((b) => `${b.actionId}:${b.value}`);
    assert.deepEqual(buttons, [`ack:${a.id}`, `alert-silence:${a.id} 1h`, `alert-run:diagnose eth-2 --alert ${a.id}`]);
    assert.match(fired[0]!.message.text, /FIRING unreachable on eth-2 \(prod\): unreachable: connection refused/);

    e.sweeps(3);
    assert.equal(e.notices.length, 1, 'no repeat while it stays firing');
    e.override.clear();
    e.sweeps(1);
    const done = e.store.get(a.id)!;
    assert.equal(done.state, 'resolved');
    assert.deepEqual(e.notices.map((n) => n.kind), ['fired', 'resolved']);
    const items = alertOutboxItems(e.notices[1]!, e.now());
    assert.deepEqual(items.map((i) => [i.op, i.key]), [
      ['upsert', `alert:${a.id}`], ['upsert', `alert:${a.id}:console:ops`], ['thread', `alert:${a.id}`], ['thread', `alert:${a.id}:console:ops`],
    ]);
    assert.match(items[2]!.message.text, /Resolved after \d+s: answers RPC/);
    assert.equal(items[0]!.message.blocks.some((b) => b.type === 'actions'), false, 'no buttons once resolved');
  });

  it('`for <duration>` holds an alert pending until the condition lasted that long', () => {
    const e = engine(fleetOf({ routes: [], rules: [{ name: 'down', when: 'unreachable for 1m', severity: 'critical' }] }));
    e.override.set('eth-1', { reachable: false, error: 'refused' });
    e.sweeps(5); // 0s, 10s … 40s after the first bad result
    assert.equal(e.byKey('down@eth-1')?.state, 'pending');
    assert.equal(e.byKey('down@eth-1')?.count, 5);
    e.sweeps(2);
    assert.equal(e.byKey('down@eth-1')?.state, 'firing');
  });

  it('every head of a chain old: exactly one chain alert, no node alerts; then resolved', () => {
    const e = engine(fleetOf());
    e.sweeps(2);
    for (let i = 0; i < 6; i++) { e.stall('eth', 20 * S); e.sweep(); }
    const firing = e.firing();
    assert.equal(firing.length, 1, firing.map((a) => a.key).join(', '));
    assert.equal(firing[0]!.key, 'head-age@chain:prod/ethereum/devnet');
    assert.equal(firing[0]!.scope, 'chain');
    assert.match(firing[0]!.summary, /chain stalled: all 3 reporting nodes of ethereum\/devnet in prod have old heads/);
    assert.match(alertMessage(firing[0]!, e.now()).text, /chain stalled: ethereum\/devnet \(prod\)/);
    assert.equal(e.active().filter((a) => a.scope === 'node').length, 0, 'no node alert is even pending');
    e.sweeps(1);
    assert.equal(e.store.get(firing[0]!.id)!.state, 'resolved');
    assert.equal(e.active().length, 0);
  });

  it('a chain stalling with heads 20 s apart: only the chain alert, no node alert fires first', () => {
    const e = engine(fleetOf());
    e.sweeps(2);
    // eth-3 had the chain's last block 20 s after its peers (limit 60 s): for two sweeps eth-1 and
    // eth-2 are over the limit while eth-3 is still under it, but not clearly producing blocks.
    e.override.set('eth-3', { headTime: e.now() + 20 * S });
    for (let i = 0; i < 10; i++) { e.stall('eth', 10 * S); e.sweep(); }
    assert.deepEqual(e.notices.map((n) => `${n.kind} ${n.alert.key}`), ['fired head-age@chain:prod/ethereum/devnet']);
    assert.equal(e.active().filter((a) => a.scope === 'node').length, 0);
  });

  it('one node stalled while the others move: a node alert (and lag), not a chain alert', () => {
    const e = engine(fleetOf());
    e.sweeps(1);
    const stuck = { head: 1_010, headTime: e.now() };
    e.override.set('eth-1', stuck);
    e.sweeps(9); // 90 s: head 60 s+ old, 90 blocks behind
    const keys = e.firing().map((a) => a.key).sort();
    assert.deepEqual(keys, ['head-age@eth-1', 'lag@eth-1']);
    const lag = e.byKey('lag@eth-1')!;
    assert.equal(lag.value, 1_100 - 1_010);
    assert.equal(lag.summary, 'lag 90 blocks > 5 blocks');
  });

  it('a node a rollout is acting on (its node lease) never pages, and is judged again once released', () => {
    const e = engine(fleetOf());
    e.sweeps(1);
    e.maintenance.set('eth-2', 'up-1 on eth-2');
    e.override.set('eth-2', { reachable: false, error: 'connection refused', head: undefined, headTime: undefined });
    e.sweeps(5); // restarted by the playbook: down for 50 s
    assert.deepEqual(e.active(), [], 'nothing pending or firing while the rollout holds the node');
    e.maintenance.clear();
    e.sweeps(2); // still down after the rollout let go: that is a real outage
    assert.equal(e.byKey('unreachable@eth-2')?.state, 'firing');
  });

  it('an alert open before the rollout stays as it was during it, then resolves when the node is right', () => {
    const e = engine(fleetOf());
    e.override.set('eth-3', { version: '7.9.1' });
    e.sweeps(2);
    const drift = e.byKey('version@eth-3')!;
    assert.equal(drift.state, 'firing');
    e.maintenance.set('eth-3', 'up-2 on eth-3');
    e.override.set('eth-3', { reachable: false, error: 'connection refused', head: undefined, headTime: undefined });
    e.sweeps(3);
    assert.equal(e.store.get(drift.id)!.state, 'firing', 'kept, neither resolved nor re-posted');
    assert.deepEqual(e.notices.map((n) => n.kind), ['fired']);
    e.override.clear(); // upgraded: the desired version
    e.maintenance.clear();
    e.sweeps(1);
    assert.equal(e.store.get(drift.id)!.state, 'resolved');
    assert.deepEqual(e.active(), []);
  });

  it('a recheck of some nodes moves only their alerts: another node\'s confirming alert is not counted twice', () => {
    const e = engine(fleetOf());
    const down = { reachable: false, error: 'connection refused', head: undefined, headTime: undefined };
    e.override.set('eth-1', down);
    e.override.set('eth-2', down);
    e.sweeps(1);
    assert.deepEqual(['eth-1', 'eth-2'].map((n) => e.byKey(`unreachable@${n}`)?.state), ['pending', 'pending']);
    e.wait(2 * S);
    e.sweep(new Set(['eth-1'])); // eth-2's answer was not asked again: its single result stays single
    assert.equal(e.byKey('unreachable@eth-1')?.state, 'firing');
    assert.equal(e.byKey('unreachable@eth-2')?.state, 'pending');
    assert.equal(e.byKey('unreachable@eth-2')?.count, 1);
    assert.deepEqual(e.notices.map((n) => `${n.kind} ${n.alert.key}`), ['fired unreachable@eth-1']);
  });

  it('version drift per node, peers by environment threshold (dev allows 0)', () => {
    const e = engine(fleetOf());
    e.override.set('eth-3', { version: '7.9.1' });
    e.override.set('eth-2', { peers: 1 });
    e.override.set('ltc-1', { peers: 0 });
    e.sweeps(2);
    assert.deepEqual(e.firing().map((a) => [a.key, a.summary]).sort(), [
      ['peers@eth-2', 'peers 1 < 2'],
      ['version@eth-3', 'version 7.9.1 ≠ desired 7.9.2'],
    ]);
  });

  it('disk use from host facts; stale or missing facts are no data', () => {
    const e = engine(fleetOf());
    const host = (pct: number, at: number) => ({ at, facts: { cpus: 2, memTotalMiB: 4096, memAvailableMiB: 1024, diskTotalGiB: 50, diskUsedPct: pct, load1: 0.5 } });
    e.override.set('eth-3', { host: host(91, T0) });
    e.sweeps(2);
    assert.equal(e.byKey('disk-used@eth-3')?.summary, 'disk used 91% > 85%');
    // Facts older than three host intervals (15m) neither keep it firing nor resolve it.
    e.sweeps(100);
    assert.equal(e.byKey('disk-used@eth-3')?.state, 'firing');
    e.override.set('eth-3', { host: host(40, e.now()) });
    e.sweeps(1);
    assert.equal(e.byKey('disk-used@eth-3'), undefined);
  });

  it('reminders while firing and unacknowledged; none after an acknowledgement', () => {
    const e = engine(fleetOf({ routes: [], reminder: '5m' }));
    e.override.set('eth-1', { peers: 0 });
    e.sweeps(2);
    e.sweeps(30); // 5 minutes
    assert.deepEqual(e.notices.map((n) => n.kind), ['fired', 'reminder']);
    const a = e.byKey('peers@eth-1')!;
    const acked = acknowledge(a, 'console:carol', e.now());
    assert.ok(acked.ok);
    e.store.set(a.id, acked.alert);
    assert.deepEqual(acked.notices.map((n) => n.kind), ['acknowledged']);
    e.sweeps(60);
    assert.deepEqual(e.notices.map((n) => n.kind), ['fired', 'reminder'], 'no reminder after ack');
    assert.equal(e.byKey('peers@eth-1')?.state, 'acknowledged');
    e.override.clear();
    e.sweeps(1);
    assert.equal(e.store.get(a.id)?.state, 'resolved', 'acknowledged → resolved');
    const again = acknowledge(e.store.get(a.id)!, 'console:carol', e.now());
    assert.ok(!again.ok && /already resolved/.test(again.why));
  });

  it('a silence mutes: fires without a post, posts when the silence ends; silencing a firing alert says so', () => {
    const e = engine(fleetOf());
    e.silences.push({ id: 'sl-1', kind: 'node', match: 'eth-1', label: 'eth-1', by: 'console:carol', createdAt: T0, until: T0 + 2 * MIN });
    e.override.set('eth-1', { version: '1.0.0' });
    e.sweeps(2);
    const a = e.byKey('version@eth-1')!;
    assert.equal(a.state, 'firing');
    assert.equal(a.posted, false);
    assert.equal(e.notices.length, 0);
    e.sweeps(12); // past the silence
    assert.deepEqual(e.notices.map((n) => n.kind), ['fired']);
    assert.equal(e.byKey('version@eth-1')?.posted, true);

    const s: Silence = { id: 'sl-2', kind: 'rule', match: 'version', label: 'version', by: 'console:carol', createdAt: e.now(), until: e.now() + MIN };
    e.silences.push(s);
    const muted = muteAlert(e.byKey('version@eth-1')!, s);
    assert.ok(muted.ok);
    assert.deepEqual(muted.notices.map((n) => n.kind), ['silenced']);
    e.store.set(muted.alert.id, muted.alert);
    e.sweeps(7);
    assert.deepEqual(e.notices.map((n) => n.kind), ['fired', 'unsilenced']);
  });

  it('an alert silence matches the alert key, so a re-fire stays muted', () => {
    const e = engine(fleetOf());
    e.override.set('eth-2', { reachable: false, error: 'x' });
    e.sweeps(2);
    const a = e.byKey('unreachable@eth-2')!;
    e.silences.push({ id: 'sl-3', kind: 'alert', match: a.key, label: a.id, by: 'console:carol', createdAt: e.now(), until: e.now() + 60 * MIN });
    e.override.clear();
    e.sweeps(1);
    e.override.set('eth-2', { reachable: false, error: 'x' });
    e.sweeps(2);
    const b = e.byKey('unreachable@eth-2')!;
    assert.notEqual(b.id, a.id, 'a new alert after the old one resolved');
    assert.equal(b.posted, false);
    assert.ok(b.silence);
  });

  it('automatic remediation is flagged once when it fires (not when muted); ask adds a button', () => {
    const alerts = {
      routes: [],
      rules: [{ name: 'stalled', when: 'head_age > 60s', severity: 'critical' as const }, { name: 'peers', when: 'peers < 1' }],
      actions: [{ name: 'restart', ssh: ['sudo', 'systemctl', 'restart', 'ganache'] }, { name: 'add-peers', ssh: ['/usr/local/bin/add-peers'] }],
      remediation: [
        { rule: 'stalled', action: 'restart', mode: 'auto' as const },
        { rule: 'peers', action: 'add-peers', mode: 'ask' as const },
      ],
    };
    const e = engine(fleetOf(alerts));
    e.sweeps(1);
    e.override.set('eth-3', { head: 1_010, headTime: e.now() - 61 * S, peers: 0 });
    e.sweeps(3);
    assert.deepEqual(e.remedies.map((a) => [a.rule, a.node, a.remedy]), [['stalled', 'eth-3', { action: 'restart', mode: 'auto' }]]);
    const peers = e.byKey('peers@eth-3')!;
    const buttons = alertMessage(peers, e.now()).blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
    assert.deepEqual(buttons.map((b) => b.label), ['Acknowledge', 'Silence 1h', 'Run diagnostics', 'Restart node', 'Run add-peers']);
    assert.equal(buttons[3]!.value, `restart eth-3 --alert ${peers.id}`);
    assert.ok(buttons[3]!.confirm, 'restart asks first');
  });

  it('an alert whose rule left the fleet file resolves with that reason', () => {
    const fleet = fleetOf();
    const e = engine(fleet);
    e.override.set('eth-1', { peers: 0 });
    e.sweeps(2);
    const a = e.byKey('peers@eth-1')!;
    fleet.alerts.rules = [{ name: 'lag', when: 'lag > 5', severity: 'warning' }];
    const changes = evaluate({ fleet: { ...fleet }, health: assessFleet(fleet, [], e.now()), now: e.now(), active: e.active(), silences: [], newId: () => 'zzzzzz' });
    const done = changes.find((c) => c.before?.id === a.id)!.after!;
    assert.equal(done.state, 'resolved');
    assert.match(done.resolution ?? '', /rule peers left the fleet file/);
  });
});

describe('routing', () => {
  it('rule route, then the first matching alerts.routes entry, then the environment channels', () => {
    const fleet = fleetOf({ routes: [{ chain: 'litecoin', console: 'ltc-alerts' }, { env: 'prod', slack: 'C0ALERTS' }] });
    const prod = { scope: 'node' as const, node: 'eth-1', group: 'eth', env: 'prod', chain: 'ethereum', network: 'devnet' };
    const dev = { scope: 'node' as const, node: 'ltc-1', group: 'ltc', env: 'dev', chain: 'litecoin', network: 'regtest' };
    assert.deepEqual(alertTargets(fleet, prod), [{ platform: 'slack', channelId: 'C0ALERTS' }, { platform: 'console', channelId: 'ops' }]);
    assert.deepEqual(alertTargets(fleet, dev), [{ platform: 'console', channelId: 'ltc-alerts' }]);
    assert.deepEqual(alertTargets(fleet, prod, { discord: '123456' }), [
      { platform: 'slack', channelId: 'C0ALERTS' }, { platform: 'discord', channelId: '123456' }, { platform: 'console', channelId: 'ops' },
    ]);
  });
});

describe('what resolution notices and info alerts say (issue #18)', () => {
  it('a resolution states the value now and that it is back within the rule — never a comparison that is false', () => {
    const e = engine(fleetOf());
    e.override.set('eth-2', { peers: 0 });
    e.sweeps(2);
    const a = e.byKey('peers@eth-2')!;
    assert.equal(a.state, 'firing');
    assert.match(a.summary, /^peers 0 < 2$/);
    e.override.set('eth-2', { peers: 3 });
    e.sweeps(1);
    const resolved = e.notices.find((n) => n.kind === 'resolved' && n.alert.id === a.id)!;
    const line = alertOutboxItems(resolved, e.now()).find((i) => i.op === 'thread')!.message.text;
    assert.match(line, /Resolved after \d+s: peers 3, back within the rule \(≥ 2\)\./);
    assert.doesNotMatch(line, /peers 3 < 2/);
  });

  it('an info alert is a blue NOTICE, not a red FIRING; critical stays red', () => {
    const e = engine(fleetOf());
    e.override.set('eth-1', { version: '7.9.1' });
    e.override.set('eth-3', { reachable: false, error: 'refused', head: undefined, headTime: undefined });
    e.sweeps(2);
    const version = e.byKey('version@eth-1')!;
    assert.equal(version.severity, 'info');
    const info = alertMessage(version, e.now());
    assert.match(info.blocks[0]!.type === 'header' ? info.blocks[0]!.text : '', /^🔵 NOTICE · version on eth-1/);
    assert.equal(info.severity, 'info');
    assert.doesNotMatch(info.text, /FIRING/);
    const down = alertMessage(e.byKey('unreachable@eth-3')!, e.now());
    assert.match(down.blocks[0]!.type === 'header' ? down.blocks[0]!.text : '', /^🔴 FIRING · unreachable on eth-3/);
    assert.equal(down.severity, 'error');
  });
});
