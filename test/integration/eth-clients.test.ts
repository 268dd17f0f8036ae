import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAnvil } from '../../adapters/local/anvil.process.ts';
import type { EthDevNodeHandle } from '../../adapters/local/eth-dev-node.ts';
import { startGanache } from '../../adapters/local/ganache.process.ts';
import { startHardhat } from '../../adapters/local/hardhat.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { createCheckers } from '../../adapters/rpc/checker-registry.ts';
import { fleetSchema, type Fleet, type FleetNode } from '../../src/fleet/fleet.schema.ts';
import { parseClientVersion } from '../../src/health/version.ts';
import { alertHarness, rpc, type AlertHarness } from '../helpers/alert-harness.ts';

// ganache, anvil and Hardhat's node as three real execution clients of one devnet group: every KPI
// the checker reports equals the node's own answer; the client mix, the supermajority warning as
// nodes are added and removed, and a fork a few seconds ahead with the countdown in status.
type Node = { name: string; client: string; url: string; stop(): Promise<void> };
let nodes: Node[] = [];
let h: AlertHarness;
const FORK_AHEAD_MS = 20_000;
let forkAt = 0;

function fleetOf(names: string[], extra: Record<string, unknown> = {}): Fleet {
  const chosen = nodes.filter((n) => names.includes(n.name));
  return fleetSchema.parse({
    version: 1,
    name: 'eth-clients',
    environments: { dev: { thresholds: { max_lag_blocks: 100_000, max_head_age: '1d', min_peers: 0 }, channels: { console: 'eth-ops' } } },
    groups: Object.fromEntries(['ganache', 'anvil', 'hardhat'].map((c) => [c, { chain: 'ethereum', network: 'devnet', client: c, desired_version: '1.0.0', rpc: { kind: 'eth' } }])),
    nodes: chosen.map((n) => ({ name: n.name, group: n.client, env: 'dev', rpc_url: n.url })),
    health: { interval: '1s', timeout: '3s' },
    roles: { viewer: { console: ['*'] } },
    // Each dev node is its own chain: comparing their hashes is not what this test is about.
    chain_truth: { split_skip: ['ethereum/devnet'] },
    alerts: { consecutive: 1, rules: [{ name: 'diversity', when: 'client_supermajority', severity: 'warning' }, { name: 'fork-unready', when: 'fork_unready', severity: 'critical' }, { name: 'fork-stalled', when: 'fork_stalled', severity: 'critical' }] },
    ...extra,
  });
}

before(async () => {
  const handle = (name: string, client: string, x: EthDevNodeHandle): Node => ({ name, client, url: x.url, stop: () => x.stop() });
  const [g1, g2, a, hh] = await Promise.all([startGanache({ blockTimeSec: 1 }), startGanache({ blockTimeSec: 1 }), startAnvil({ blockTimeSec: 1 }), startHardhat({ blockTimeSec: 1 })]);
  nodes = [handle('eth-g1', 'ganache', g1), handle('eth-g2', 'ganache', g2), handle('eth-a1', 'anvil', a), handle('eth-h1', 'hardhat', hh)];
  await waitFor(async () => (await Promise.all(nodes.map(async (n) => Number(await rpc(n.url, 'eth_blockNumber'))))).every((b) => b >= 1), { what: 'a first block on every node', timeoutMs: 30_000 });
  h = await alertHarness(fleetOf(['eth-g1', 'eth-g2', 'eth-a1']), { paceMs: 300 });
});

after(async () => {
  await h?.close();
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('ganache, anvil and hardhat in one group', () => {
  it('every KPI equals what the node answers itself', async () => {
    const fleet = fleetOf(nodes.map((n) => n.name));
    const checkers = createCheckers();
    try {
      for (const n of nodes) {
        const node = fleet.nodes.find((x) => x.name === n.name) as FleetNode;
        const before = Number(await rpc(n.url, 'eth_blockNumber'));
        const snap = await checkers('eth').check(node, fleet.groups[n.client]!, { timeoutMs: 3_000 });
        const afterHead = Number(await rpc(n.url, 'eth_blockNumber'));
        assert.equal(snap.reachable, true, `${n.name}: ${snap.error}`);
        assert.equal(snap.chainId, String(Number(await rpc(n.url, 'eth_chainId'))));
        const raw = (await rpc(n.url, 'web3_clientVersion')) as string;
        assert.equal(snap.clientVersion, raw);
        assert.deepEqual({ client: snap.client, version: snap.version }, parseClientVersion(raw));
        assert.equal(snap.client, n.client, `${raw} is read as ${n.client}`);
        assert.ok(snap.head! >= before && snap.head! <= afterHead, `${n.name}: head ${snap.head} not within ${before}..${afterHead}`);
        const block = (await rpc(n.url, 'eth_getBlockByNumber', [`0x${snap.head!.toString(16)}`, false])) as { timestamp: string; hash: string };
        assert.equal(snap.headTime, Number(block.timestamp) * 1000);
        assert.equal(snap.hashes?.find((x) => x.height === snap.head)?.hash, block.hash);
        assert.equal(snap.syncing, (await rpc(n.url, 'eth_syncing')) !== false);
        const peers = await rpc(n.url, 'net_peerCount').then((p) => Number(p), () => undefined);
        assert.equal(snap.peers, peers, `${n.name}: peers`);
        const config = await rpc(n.url, 'eth_config').then((c) => c as { current: { forkId: string } }, () => undefined);
        assert.equal(snap.forkView?.currentForkId, config?.current.forkId, `${n.name}: eth_config`);
        assert.equal(snap.warnings.filter((w) => /eth_config/.test(w)).length, 0, `${n.name}: ${snap.warnings.join('; ')}`);
      }
    } finally {
      await checkers.close();
    }
  });

  it('the supermajority warning fires, clears when a third client joins, and fires again when it leaves', async () => {
    const firing = async () => (await h.firing()).find((a) => a.rule === 'diversity');
    const fired = await h.sweepUntil(firing, 'client_supermajority to fire with ganache on 2 of 3 nodes');
    assert.match(fired.summary, /^ganache runs 2 of 3 nodes \(67%\) of ethereum\/devnet in dev, above 66%/);
    h.setFleet(fleetOf(nodes.map((n) => n.name)));
    await h.sweepUntil(async () => (await firing()) === undefined, 'client_supermajority to clear with 2 of 4');
    assert.equal((await h.alerts.get(fired.id))?.state, 'resolved');
    h.setFleet(fleetOf(['eth-g1', 'eth-g2', 'eth-a1']));
    const again = await h.sweepUntil(firing, 'client_supermajority to fire again after hardhat left');
    assert.notEqual(again.id, fired.id);
  });

  it('status shows the client mix', async () => {
    h.setFleet(fleetOf(nodes.map((n) => n.name)));
    await h.sweep();
    h.type('status');
    await waitFor(async () => /clients ethereum\/devnet \(dev\): ganache 2 · anvil 1 · hardhat 1/.test(h.output()), { what: 'the client mix in status' });
  });

  it('fork_unready from a fork a few seconds ahead, with the countdown in status and an Upgrade button', async () => {
    forkAt = Date.now() + FORK_AHEAD_MS;
    const ganacheVersion = parseClientVersion((await rpc(nodes[0]!.url, 'web3_clientVersion')) as string)!.version;
    const [maj, min, patch] = ganacheVersion.split('.').map(Number);
    const needed = `${maj}.${min}.${patch! + 1}`;
    h.setFleet(fleetOf(nodes.map((n) => n.name), {
      forks: [{ name: 'osaka', chain: 'ethereum', network: 'devnet', time: new Date(forkAt).toISOString(), min_versions: { ganache: needed, anvil: '1.0.0', hardhat: '2.0.0' } }],
    }));
    const alerts = await h.sweepUntil(async () => {
      const list = (await h.firing()).filter((a) => a.rule === 'fork-unready');
      return list.length === 2 ? list : undefined;
    }, 'fork_unready on both ganache nodes');
    assert.deepEqual(alerts.map((a) => a.node).sort(), ['eth-g1', 'eth-g2']);
    for (const a of alerts) {
      assert.equal(a.key, `fork-unready:osaka:T-1h@${a.node}`);
      assert.match(a.summary, new RegExp(`^${a.node} runs ganache ${ganacheVersion.replace(/\./g, '\\.')}, below ${needed.replace(/\./g, '\\.')} needed for osaka in \\d+s \\(T-1h\\)$`));
    }
    await waitFor(async () => (await h.button(alerts[0]!, `Upgrade ganache to ${needed}`)) !== undefined, { what: 'the Upgrade button on the alert' });
    h.type('status');
    await waitFor(async () => /⏳ fork osaka \(ethereum\/devnet, dev\) in \d+s · 2 nodes not ready/.test(h.output()), { what: 'the fork countdown in status' });
    h.type('forks');
    await waitFor(async () => /Hard forks/.test(h.output()) && new RegExp(`eth-g1: ganache ${ganacheVersion.replace(/\./g, '\\.')} < ${needed.replace(/\./g, '\\.')} for osaka`).test(h.output()), { what: '/chainops forks' });
    // After activation the countdown alerts resolve: fork-stalled watches the nodes from then on.
    await h.sweepUntil(async () => Date.now() > forkAt && (await h.firing()).every((a) => a.rule !== 'fork-unready'), 'fork_unready to resolve after activation', FORK_AHEAD_MS + 30_000);
    assert.match((await h.alerts.get(alerts[0]!.id))?.resolution ?? '', /osaka has activated/);
    assert.deepEqual((await h.firing()).filter((a) => a.rule === 'fork-stalled'), [], 'every node still follows the chain');
    // A node that stops after the fork (as an unready client would) is flagged by fork-stalled.
    await nodes[1]!.stop();
    const stalled = await h.sweepUntil(async () => (await h.firing()).find((a) => a.rule === 'fork-stalled'), 'fork_stalled on the stopped node');
    assert.equal(stalled.node, 'eth-g2');
    assert.match(stalled.summary, /^eth-g2 stopped answering after osaka activated/);
  });
});
