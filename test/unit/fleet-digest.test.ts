// A sharded sweep judges each share's nodes with the other shares' digests instead of every node's
// snapshot: the alert changes summed over the shares must be the ones a single whole-fleet
// evaluation makes (node alerts by their share, chain alerts by the wide share).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, type AlertChange } from '../../src/alerts/evaluate.ts';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { findSplits } from '../../src/health/chain-split.ts';
import { digestOf } from '../../src/health/fleet-digest.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { shareOf } from '../../jobs/health/shares.ts';

const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);
const hash = (c: string) => `0x${c.repeat(64)}`;

function fleetOf(nodes: number): Fleet {
  return fleetSchema.parse({
    version: 1,
    name: 'digest',
    environments: { prod: { thresholds: { max_lag_blocks: 5, max_head_age: '60s', min_peers: 2 }, channels: { console: 'ops' } } },
    groups: {
      geth: { chain: 'ethereum', network: 'mainnet', client: 'geth', desired_version: '1.0.0', rpc: { kind: 'eth' } },
      reth: { chain: 'ethereum', network: 'mainnet', client: 'reth', desired_version: '1.0.0', rpc: { kind: 'eth' } },
      btc: { chain: 'bitcoin', network: 'mainnet', client: 'bitcoind', desired_version: '27.0.0', rpc: { kind: 'bitcoin' } },
    },
    alerts: { rules: [
      { name: 'head-age', when: 'head_age > threshold', severity: 'critical' },
      { name: 'lag', when: 'lag > threshold', severity: 'warning' },
      { name: 'peers', when: 'peers < threshold', severity: 'warning' },
      { name: 'unreachable', when: 'unreachable', severity: 'critical' },
      { name: 'chain-split', when: 'chain_split', severity: 'critical' },
      { name: 'fork-view', when: 'fork_view', severity: 'warning' },
      { name: 'diversity', when: 'client_supermajority', severity: 'warning' },
    ] },
    nodes: Array.from({ length: nodes }, (_, i) => ({ name: `n-${i}`, group: i % 10 === 9 ? 'btc' : i % 3 === 0 ? 'reth' : 'geth', env: 'prod', rpc_url: `http://127.0.0.1:${1000 + i}` })),
  });
}

/** A fleet with one of every fault the chain-wide rules look at: laggards, a stuck node, a split minority, a bitcoin chain that stalled, an odd fork view. */
function snapshotsOf(fleet: Fleet): Snapshot[] {
  return fleet.nodes.map((n, i) => {
    const g = fleet.groups[n.group]!;
    const btc = n.group === 'btc';
    const head = btc ? 800_000 : 20_000_000 - (i % 17 === 4 ? 9 : 0) - (i === 5 ? 40 : 0);
    const headTime = btc ? T0 - 300_000 : i === 5 ? T0 - 600_000 : T0 - 2_000;
    const s: Snapshot = {
      node: n.name, group: n.group, env: n.env, chain: g.chain, network: g.network, at: T0 - 500, reachable: i !== 7, client: g.client, version: g.desired_version,
      syncing: false, head, headTime, peers: i % 13 === 2 ? 1 : 20, latencyMs: 3, warnings: [],
      hashes: [{ height: head, hash: hash(i === 11 ? 'b' : 'a') }],
      ...(btc ? {} : { forkView: { currentForkId: i === 8 ? '0x00000002' : '0x00000001', currentDigest: 'd1' } }),
    };
    if (i === 7) return { node: s.node, group: s.group, env: s.env, chain: s.chain, network: s.network, at: s.at, reachable: false, error: 'connection refused', latencyMs: 1, warnings: [] };
    return s;
  });
}

const summary = (changes: AlertChange[]) => changes.map((c) => `${c.after?.key ?? c.before?.key}=${c.after?.state ?? 'gone'}:${c.after?.summary ?? ''}`).sort();

function wholeFleet(fleet: Fleet, snaps: Snapshot[]): AlertChange[] {
  let i = 0;
  return evaluate({ fleet, health: assessFleet(fleet, snaps, T0), now: T0, active: [], silences: [], newId: () => `${i++}`.padStart(8, '0') });
}

function sharded(fleet: Fleet, snaps: Snapshot[], members: string[]): AlertChange[] {
  const shares = members.map((m) => new Set(shareOf(fleet.nodes, members, m).map((n) => n.name)));
  const digests = shares.map((share) => digestOf(fleet, snaps.filter((s) => share.has(s.node))));
  let i = 0;
  return members.flatMap((_, k) => {
    const own = snaps.filter((s) => shares[k]!.has(s.node));
    const peers = digests.filter((_, j) => j !== k);
    const health = assessFleet(fleet, own, T0, { nodes: shares[k]!, peers });
    return evaluate({ fleet, health, now: T0, active: [], silences: [], newId: () => `${i++}`.padStart(8, '0'), only: shares[k]!, ...(k === 0 ? { wide: true } : {}) });
  });
}

describe('sharded judgement from digests', () => {
  it('3 and 4 shares move exactly the alerts one whole-fleet evaluation moves', () => {
    const fleet = fleetOf(90);
    const snaps = snapshotsOf(fleet);
    const whole = summary(wholeFleet(fleet, snaps));
    // The fixture really has chain-wide verdicts in it, so the comparison can fail.
    for (const key of ['head-age@chain:prod/bitcoin/mainnet=pending', 'chain-split@chain:prod/ethereum/mainnet/n-11=pending', 'fork-view@n-8=pending', 'lag@n-5=pending', 'head-age@n-5=pending', 'diversity@chain:prod/ethereum/mainnet=pending']) {
      assert.ok(whole.some((w) => w.startsWith(key)), `fixture lacks ${key}: ${whole.join('\n')}`);
    }
    assert.ok(!whole.some((w) => w.startsWith('head-age@n-9=')), 'a node of a stalled chain pages per node');
    for (const members of [['w-a', 'w-b', 'w-c'], ['w1', 'w2', 'w3', 'w4']]) {
      assert.deepEqual(summary(sharded(fleet, snaps, members)), whole, `${members.length} shares`);
    }
  });

  it('a digest grows with distinct answers, not with nodes', () => {
    const fleet = fleetOf(3_000);
    const snaps = snapshotsOf(fleet);
    const d = digestOf(fleet, snaps);
    const heads = d.groups.reduce((n, g) => n + g.heads.length, 0);
    assert.ok(heads <= 10, `${heads} head entries for 3 000 nodes`);
  });
});

describe('findSplits over distinct hash sets', () => {
  it('a 20 000-node chain with one minority: found, named, counted', () => {
    const snaps: Snapshot[] = Array.from({ length: 20_000 }, (_, i) => ({
      node: `e-${i}`, group: 'g', env: 'prod', chain: 'ethereum', network: 'mainnet', at: T0, reachable: true, syncing: false, latencyMs: 1, warnings: [],
      hashes: [{ height: 100, hash: hash(i === 123 || i === 456 ? 'c' : 'a') }, { height: 96, hash: hash('9') }],
    }));
    const [f, ...rest] = findSplits(snaps);
    assert.equal(rest.length, 0);
    assert.equal(f!.compared, 20_000);
    assert.equal(f!.majority!.nodes.length, 19_998);
    assert.deepEqual(f!.minorities.map((m) => m.nodes), [['e-123', 'e-456']]);
    assert.equal(f!.minorities[0]!.versus, hash('a'));
  });
});
