import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { evaluate, type AlertChange } from '../../src/alerts/evaluate.ts';
import { parseCommand } from '../../src/command/parse.ts';
import { fleetSchema, type Fleet, type FleetInput } from '../../src/fleet/fleet.schema.ts';
import { findSplits } from '../../src/health/chain-split.ts';
import { checkpointHeights } from '../../src/health/checkpoints.ts';
import { clientMix, supermajority } from '../../src/health/client-mix.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import { forkStates } from '../../src/health/forks.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { compareVersions, parseClientVersion } from '../../src/health/version.ts';
import { alertMessage } from '../../src/render/alert.message.ts';
import { forksMessage } from '../../src/render/chain-truth.message.ts';
import { statusMessage } from '../../src/render/status.message.ts';
import { chainTruthLines } from '../../src/render/chain-truth.message.ts';

const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);
const H = 3_600_000;

function fleetOf(extra: Partial<FleetInput> = {}, clients: string[] = ['ganache', 'ganache', 'anvil']): Fleet {
  return fleetSchema.parse({
    version: 1,
    name: 'truth',
    environments: { prod: { thresholds: { max_lag_blocks: 5, max_head_age: '60s', min_peers: 0 }, channels: { console: 'ops' } } },
    groups: Object.fromEntries([...new Set(clients)].map((c) => [c, { chain: 'ethereum', network: 'devnet', client: c, desired_version: '1.0.0', rpc: { kind: 'eth' } }])),
    nodes: clients.map((c, i) => ({ name: `eth-${i + 1}`, group: c, env: 'prod', rpc_url: `http://127.0.0.1:${i + 1}` })),
    ...extra,
  });
}

function snap(fleet: Fleet, name: string, over: Partial<Snapshot> = {}): Snapshot {
  const n = fleet.nodes.find((x) => x.name === name)!;
  const g = fleet.groups[n.group]!;
  return {
    node: name, group: n.group, env: n.env, chain: g.chain, network: g.network, at: T0, reachable: true, client: g.client,
    version: '1.0.0', syncing: false, head: 100, headTime: T0, peers: 0, latencyMs: 1, warnings: [], ...over,
  };
}

const hashes = (h: string, heights = [100, 96, 80]) => heights.map((height) => ({ height, hash: `0x${h.repeat(64).slice(0, 64)}` }));

function run(fleet: Fleet, snaps: Snapshot[], active: Alert[] = [], now = T0): AlertChange[] {
  let i = 0;
  return evaluate({ fleet, health: assessFleet(fleet, snaps, now), now, active, silences: [], newId: () => `id${i++}`.padStart(8, '0') });
}

describe('chain split', () => {
  it('checkpoint heights: nodes less than 16 blocks apart share one', () => {
    assert.deepEqual(checkpointHeights(100), [96, 80, 0]);
    assert.deepEqual(checkpointHeights(5), [0]);
    assert.deepEqual(checkpointHeights(300), [288, 272, 256]);
    for (let a = 0; a < 600; a += 7) for (let b = a; b < a + 16; b++) {
      const shared = [a, ...checkpointHeights(a)].filter((h) => [b, ...checkpointHeights(b)].includes(h));
      assert.ok(shared.length > 0, `${a} and ${b} share no height`);
    }
  });

  it('names the one minority node, with both hashes and the majority count', () => {
    const fleet = fleetOf({}, ['ganache', 'ganache', 'ganache', 'ganache', 'ganache']);
    const snaps = fleet.nodes.map((n, i) => snap(fleet, n.name, { hashes: hashes(i === 2 ? 'b' : 'a') }));
    const [f] = findSplits(snaps);
    assert.equal(f?.height, 100);
    assert.deepEqual(f?.minorities.map((m) => m.nodes), [['eth-3']]);
    const changes = run(fleet, snaps);
    const split = changes.filter((c) => c.after?.rule === 'chain-split');
    assert.equal(split.length, 1);
    assert.equal(split[0]!.after!.summary, 'eth-3 is on another chain at height 100: 0xbbbbbb… vs 0xaaaaaa… on 4 of 5 nodes');
  });

  it('compares at the height most nodes share, even with heads apart', () => {
    const fleet = fleetOf();
    const snaps = [
      snap(fleet, 'eth-1', { head: 101, hashes: hashes('a', [101, 96, 80]) }),
      snap(fleet, 'eth-2', { head: 99, hashes: hashes('a', [99, 96, 80]) }),
      snap(fleet, 'eth-3', { head: 97, hashes: hashes('c', [97, 96, 80]) }),
    ];
    const [f] = findSplits(snaps);
    assert.equal(f?.height, 96);
    assert.deepEqual(f?.majority?.nodes, ['eth-1', 'eth-2']);
  });

  it('a tie says so and blames nobody; agreeing nodes and skipped networks raise nothing', () => {
    const fleet = fleetOf({}, ['ganache', 'anvil']);
    const tie = [snap(fleet, 'eth-1', { hashes: hashes('a') }), snap(fleet, 'eth-2', { hashes: hashes('b') })];
    const [f] = findSplits(tie);
    assert.equal(f?.majority, undefined);
    const fired = run(fleet, tie).filter((c) => c.after?.rule === 'chain-split');
    assert.equal(fired.length, 1);
    assert.match(fired[0]!.after!.summary, /no majority at height 100 .*a tie/);
    assert.equal(findSplits([snap(fleet, 'eth-1', { hashes: hashes('a') }), snap(fleet, 'eth-2', { hashes: hashes('a') })]).length, 0);
    assert.equal(findSplits(tie, (c, n) => `${c}/${n}` === 'ethereum/devnet').length, 0);
    // A syncing node has not reached the chain yet: not compared.
    assert.equal(findSplits([tie[0]!, { ...tie[1]!, syncing: true }]).length, 0);
  });

  it('a healed split resolves its alert', () => {
    const fleet = fleetOf();
    const bad = fleet.nodes.map((n) => snap(fleet, n.name, { hashes: hashes(n.name === 'eth-3' ? 'b' : 'a') }));
    let active: Alert[] = [];
    for (let i = 0; i < 2; i++) active = run(fleet, bad, active, T0 + i).flatMap((c) => (c.after ? [c.after] : [])).concat(active.filter((a) => !run(fleet, bad, active).some((c) => c.before?.key === a.key)));
    const firing = active.find((a) => a.rule === 'chain-split');
    assert.equal(firing?.state, 'firing');
    assert.equal(alertMessage(firing!, T0).blocks[0]!.type === 'header' && (alertMessage(firing!, T0).blocks[0] as { text: string }).text, '🔴 FIRING · chain split: ethereum/devnet (prod)');
    const good = fleet.nodes.map((n) => snap(fleet, n.name, { hashes: hashes('a') }));
    const healed = run(fleet, good, [firing!]).find((c) => c.before?.key === firing!.key);
    assert.equal(healed?.after?.state, 'resolved');
    assert.equal(healed?.after?.resolution, 'all 3 compared nodes agree on one chain');
  });
});

describe('client mix', () => {
  it('counts reported clients over group clients and finds a supermajority above the share', () => {
    const fleet = fleetOf({}, ['ganache', 'ganache', 'anvil']);
    const snaps = [snap(fleet, 'eth-1'), snap(fleet, 'eth-2'), snap(fleet, 'eth-3', { client: 'hardhat' })];
    const [mix] = clientMix(fleet, assessFleet(fleet, snaps, T0));
    assert.deepEqual(mix?.clients, [['ganache', 2], ['hardhat', 1]]);
    assert.equal(supermajority(mix!, 66)?.client, 'ganache');
    assert.equal(supermajority(mix!, 67), undefined);
  });

  it('client_supermajority fires and clears as nodes are added', () => {
    const rules = { rules: [{ name: 'diversity', when: 'client_supermajority', severity: 'warning' as const, consecutive: 1 }] };
    const three = fleetOf({ alerts: rules }, ['ganache', 'ganache', 'ganache']);
    const fired = run(three, three.nodes.map((n) => snap(three, n.name))).find((c) => c.after?.rule === 'diversity');
    assert.equal(fired?.after?.state, 'firing');
    assert.match(fired!.after!.summary, /^ganache runs 3 of 3 nodes \(100%\) of ethereum\/devnet in prod, above 66%/);
    const mixed = fleetOf({ alerts: rules }, ['ganache', 'ganache', 'anvil', 'hardhat']);
    const cleared = run(mixed, mixed.nodes.map((n) => snap(mixed, n.name)), [fired!.after!]).find((c) => c.before?.key === fired!.after!.key);
    assert.equal(cleared?.after?.state, 'resolved');
  });
});

describe('forks', () => {
  const forks = (time: number) => ({ forks: [{ name: 'osaka', chain: 'ethereum', network: 'devnet', time: Math.round(time / 1000), min_versions: { ganache: '7.9.2', anvil: '1.7.0' } }] });

  it('compares versions as releases', () => {
    assert.ok(compareVersions('7.9.1', '7.9.2') < 0);
    assert.ok(compareVersions('1.10.0', '1.9.9') > 0);
    assert.ok(compareVersions('1.2.0-rc.1', '1.2.0') < 0);
    assert.equal(compareVersions('v1.2.3', '1.2.3'), 0);
    assert.deepEqual(parseClientVersion('HardhatNetwork/2.29.1/@nomicfoundation/edr/0.3.8'), { client: 'hardhat', version: '2.29.1' });
    assert.deepEqual(parseClientVersion('anvil/v1.7.1'), { client: 'anvil', version: '1.7.1' });
  });

  it('raises fork_unready at T-7d, T-1d and T-1h with an Upgrade button; ready nodes never', () => {
    const cases: [number, string][] = [[8 * 24 * H, ''], [7 * 24 * H - 1, 'T-7d'], [23 * H, 'T-1d'], [30 * 60_000, 'T-1h']];
    for (const [ahead, stage] of cases) {
      const fleet = fleetOf({ ...forks(T0 + ahead), alerts: { consecutive: 1 } });
      const snaps = [snap(fleet, 'eth-1', { version: '7.9.1' }), snap(fleet, 'eth-2', { version: '7.9.2' }), snap(fleet, 'eth-3', { client: 'anvil', version: '1.7.1' })];
      const [state] = forkStates(fleet, assessFleet(fleet, snaps, T0), T0);
      assert.equal(state?.stage, stage || undefined);
      const fired = run(fleet, snaps).filter((c) => c.after?.rule === 'fork-unready' && c.after.state === 'firing');
      if (!stage) {
        assert.equal(fired.length, 0);
        continue;
      }
      assert.deepEqual(fired.map((c) => c.after!.key), [`fork-unready:osaka:${stage}@eth-1`]);
      const msg = alertMessage(fired[0]!.after!, T0);
      const buttons = msg.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
      assert.deepEqual(buttons.find((b) => b.actionId === 'drift-upgrade')?.value, 'ganache 7.9.2 --env prod');
      assert.match(fired[0]!.after!.summary, new RegExp(`eth-1 runs ganache 7.9.1, below 7.9.2 needed for osaka in .* \\(${stage}\\)`));
    }
  });

  it('a height fork counts down in blocks from the reference head and raises fork_unready while scheduled', () => {
    const fleet = fleetOf({ alerts: { consecutive: 1 }, forks: [{ name: 'taproot', chain: 'ethereum', network: 'devnet', height: 150, min_versions: { ganache: '7.9.2' } }] });
    const snaps = [snap(fleet, 'eth-1', { version: '7.9.1' }), snap(fleet, 'eth-2', { version: '7.9.2' }), snap(fleet, 'eth-3', { client: 'anvil', version: '1.7.1' })];
    const health = assessFleet(fleet, snaps, T0);
    const [state] = forkStates(fleet, health, T0);
    assert.deepEqual([state?.remainingBlocks, state?.activated, state?.stage], [50, false, undefined]);
    assert.match(chainTruthLines(fleet, health, T0)[0]!, /^⏳ fork taproot \(ethereum\/devnet, prod\) in 50 blocks \(at 150\) · 1 node not ready$/);
    const fired = run(fleet, snaps).filter((c) => c.after?.rule === 'fork-unready' && c.after.state === 'firing');
    assert.deepEqual(fired.map((c) => c.after!.key), ['fork-unready:taproot:scheduled@eth-1']);
    // Past the height the fork is active: the countdown alert resolves.
    const past = snaps.map((x) => ({ ...x, head: 151 }));
    const after = run(fleet, past, [fired[0]!.after!]).find((c) => c.before?.key === fired[0]!.after!.key);
    assert.equal(after?.after?.state, 'resolved');
  });

  it('the countdown shows in status and in /chainops forks', () => {
    const fleet = fleetOf(forks(T0 + 90_000));
    const snaps = [snap(fleet, 'eth-1', { version: '7.9.1' }), snap(fleet, 'eth-2', { version: '7.9.2' }), snap(fleet, 'eth-3', { client: 'anvil', version: '1.7.1' })];
    const health = assessFleet(fleet, snaps, T0);
    const lines = chainTruthLines(fleet, health, T0);
    assert.equal(lines[0], '⏳ fork osaka (ethereum/devnet, prod) in 1m 30s · 1 node not ready');
    assert.equal(lines[1], '⚠️ clients ethereum/devnet (prod): ganache 2 · anvil 1 — ganache above 66%');
    const status = statusMessage(health, T0, lines);
    assert.deepEqual(status.blocks[1], { type: 'context', text: lines.join('\n') });
    const forksMsg = forksMessage(fleet, health, T0);
    assert.match(forksMsg.text, /1 node not ready/);
    assert.deepEqual(parseCommand('forks --env prod'), parseCommand('status forks --env prod'));
  });

  it('after activation, a node that stopped advancing raises fork_stalled', () => {
    const fleet = fleetOf({ ...forks(T0 - 60_000), alerts: { consecutive: 1 } });
    const snaps = [snap(fleet, 'eth-1', { headTime: T0 - 5 * 60_000, head: 90 }), snap(fleet, 'eth-2'), snap(fleet, 'eth-3')];
    const fired = run(fleet, snaps).filter((c) => c.after?.rule === 'fork-stalled' && c.after.state === 'firing');
    assert.deepEqual(fired.map((c) => c.after!.node), ['eth-1']);
    assert.match(fired[0]!.after!.summary, /eth-1 stopped advancing after osaka activated \(head age 5m 00s, 10 blocks behind\)/);
  });

  it('a node whose eth_config disagrees with the rest raises fork_view', () => {
    const fleet = fleetOf({ alerts: { consecutive: 1 } });
    const view = { currentForkId: '0x00000000', currentDigest: 'aaaaaaaaaaaa' };
    const snaps = [snap(fleet, 'eth-1', { forkView: view }), snap(fleet, 'eth-2', { forkView: view }), snap(fleet, 'eth-3', { forkView: { ...view, currentDigest: 'bbbbbbbbbbbb' } })];
    const fired = run(fleet, snaps).filter((c) => c.after?.rule === 'fork-view' && c.after.state === 'firing');
    assert.deepEqual(fired.map((c) => c.after!.node), ['eth-3']);
    assert.match(fired[0]!.after!.summary, /eth-3's eth_config disagrees: .*bbbbbbbbbbbb.* vs .*aaaaaaaaaaaa.* on 2 of 3 nodes/);
  });

  it('refuses a fork with both or neither of time and height', () => {
    const bad = fleetSchema.safeParse({ ...fleetOf(), forks: [{ name: 'x', chain: 'ethereum', network: 'devnet', min_versions: { geth: '1.0.0' } }] });
    assert.equal(bad.success, false);
  });
});

describe('chain split: one differing height is enough', () => {
  it('genesis agrees but the newest checkpoint differs: a split at that height, not agreement at genesis', () => {
    const fleet = fleetOf();
    const at = (h0: string, h16: string) => [{ height: 16, hash: `0x${h16.repeat(64)}` }, { height: 0, hash: `0x${h0.repeat(64)}` }];
    const snaps = [
      snap(fleet, 'eth-1', { head: 17, hashes: at('a', 'b') }),
      snap(fleet, 'eth-2', { head: 18, hashes: at('a', 'b') }),
      snap(fleet, 'eth-3', { head: 17, hashes: at('a', 'c') }),
    ];
    const [f] = findSplits(snaps);
    assert.equal(f?.height, 16);
    assert.deepEqual(f?.majority?.nodes, ['eth-1', 'eth-2']);
    assert.deepEqual(f?.minorities.map((m) => [m.nodes, m.height, m.hash.slice(0, 4), m.versus?.slice(0, 4)]), [[['eth-3'], 16, '0xcc', '0xbb']]);
  });

  it('a node sharing no height with the others is left out rather than guessed about', () => {
    const fleet = fleetOf();
    const snaps = [
      snap(fleet, 'eth-1', { hashes: [{ height: 32, hash: '0x01' }] }),
      snap(fleet, 'eth-2', { hashes: [{ height: 32, hash: '0x01' }] }),
      snap(fleet, 'eth-3', { hashes: [{ height: 900, hash: '0x02' }] }),
    ];
    assert.deepEqual(findSplits(snaps), []);
  });
});

describe('client diversity and upgrades', () => {
  it('an upgrade of one client group never targets nodes of another client on the same chain', async () => {
    const { planUpgrade } = await import('../../src/rollout/plan.ts');
    const fleet = fleetOf({}, ['ganache', 'ganache', 'anvil', 'hardhat']);
    const running = { 'eth-1': '7.9.1', 'eth-2': '7.9.1', 'eth-3': '1.7.1', 'eth-4': '2.29.1' };
    const plan = planUpgrade(fleet, { target: 'ganache', version: '7.9.2', env: 'prod' }, running);
    assert.deepEqual(plan.targets, ['eth-1', 'eth-2']);
    assert.equal(planUpgrade(fleet, { target: 'anvil', version: '1.8.0', env: 'prod' }, running).targets.join(), 'eth-3');
    // A single node is upgraded within its own group (its own client), whatever else shares the chain.
    assert.deepEqual(planUpgrade(fleet, { target: 'eth-4', version: '2.30.0' }, running).targets, ['eth-4']);
  });
});

describe('ethereum checkpoint', () => {
  it('is the newest multiple of 16 at or below the head (none when the head is one)', async () => {
    const { ethCheckpoint } = await import('../../src/health/checkpoints.ts');
    assert.deepEqual(ethCheckpoint(20), [16]);
    assert.deepEqual(ethCheckpoint(5), [0]);
    assert.deepEqual(ethCheckpoint(32), []);
    assert.deepEqual(ethCheckpoint(-1), []);
  });
});
