import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startAnvil } from '../../adapters/local/anvil.process.ts';
import type { EthDevNodeHandle } from '../../adapters/local/eth-dev-node.ts';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { alertHarness, rpc, type AlertHarness } from '../helpers/alert-harness.ts';

// Real anvil nodes. Two started with the same genesis timestamp share their genesis block, and the
// test mines the same empty blocks with the same timestamps on each (what sync would do), so they
// stay on one chain; a third with another genesis timestamp (same chain id) is on another chain.
const GENESIS = Math.floor(Date.now() / 1000) - 60;
const CHAIN_ID = 31337;
let same: EthDevNodeHandle[] = [];
let other: EthDevNodeHandle;
let cancun: EthDevNodeHandle;
let h: AlertHarness;

function fleetOf(urls: string[]): Fleet {
  return fleetSchema.parse({
    version: 1,
    name: 'split-eth',
    environments: { dev: { thresholds: { max_lag_blocks: 100, max_head_age: '1d', min_peers: 0 }, channels: { console: 'eth-ops' } } },
    groups: { anvil: { chain: 'ethereum', network: 'devnet', client: 'anvil', desired_version: '1.7.1', rpc: { kind: 'eth' } } },
    nodes: urls.map((url, i) => ({ name: `eth-${i + 1}`, group: 'anvil', env: 'dev', rpc_url: url })),
    health: { interval: '1s', timeout: '3s' },
    roles: { viewer: { console: ['*'] } },
  });
}

/** Mines `n` empty blocks with the same timestamps on every node, as peers following one chain would. */
async function mine(nodes: EthDevNodeHandle[], n: number): Promise<void> {
  const head = Number(await rpc(nodes[0]!.url, 'eth_blockNumber'));
  for (let i = 1; i <= n; i++) await Promise.all(nodes.map((x) => rpc(x.url, 'evm_mine', [GENESIS + head + i])));
}

const splitAlerts = async () => (await h.alerts.active()).filter((a) => a.rule === 'chain-split');

before(async () => {
  same = await Promise.all([0, 1, 2].map(() => startAnvil({ blockTimeSec: 0, chainId: CHAIN_ID, genesisTimestamp: GENESIS })));
  [other, cancun] = await Promise.all([
    startAnvil({ blockTimeSec: 0, chainId: CHAIN_ID, genesisTimestamp: GENESIS + 1 }),
    startAnvil({ blockTimeSec: 0, chainId: CHAIN_ID, genesisTimestamp: GENESIS, hardfork: 'cancun' }),
  ]);
  await mine([...same, other], 20);
  h = await alertHarness(fleetOf(same.map((n) => n.url)), { paceMs: 300 });
});

after(async () => {
  await h?.close();
  await Promise.all([...same, other, cancun].map((n) => n?.stop()));
});

describe('chain split on real anvil nodes', () => {
  it('three nodes on one chain: no split alert', async () => {
    for (let i = 0; i < 4; i++) await h.sweep();
    const snaps = await h.state.getSnapshots();
    assert.equal(snaps.length, 3);
    for (const s of snaps) assert.ok(s.hashes && s.hashes.length >= 2, `${s.node} reported its checkpoint hashes`);
    assert.deepEqual(await splitAlerts(), []);
  });

  it('a node with another genesis and the same chain id: exactly one chain_split naming it', async () => {
    h.setFleet(fleetOf([same[0]!.url, same[1]!.url, other.url]));
    const alert = await h.sweepUntil(async () => (await splitAlerts()).find((a) => a.state === 'firing'), 'the chain_split alert to fire');
    for (let i = 0; i < 3; i++) await h.sweep();
    const all = await splitAlerts();
    assert.equal(all.length, 1, JSON.stringify(all.map((a) => a.summary)));
    const m = /^eth-3 is on another chain at height (\d+): (0x[0-9a-f]{6})… vs (0x[0-9a-f]{6})… on 2 of 3 nodes$/.exec(alert.summary);
    assert.ok(m, alert.summary);
    const height = `0x${Number(m[1]).toString(16)}`;
    const theirs = (await rpc(other.url, 'eth_getBlockByNumber', [height, false])) as { hash: string };
    const ours = (await rpc(same[0]!.url, 'eth_getBlockByNumber', [height, false])) as { hash: string };
    assert.equal(theirs.hash.slice(0, 8), m[2]);
    assert.equal(ours.hash.slice(0, 8), m[3]);
    assert.notEqual(theirs.hash, ours.hash);
    assert.match(h.output(), /chain split: ethereum\/devnet \(dev\)/);
  });

  it('the split alert resolves when the odd node is replaced by one on the chain', async () => {
    const firing = (await splitAlerts())[0]!;
    h.setFleet(fleetOf(same.map((n) => n.url)));
    await h.sweepUntil(async () => (await splitAlerts()).length === 0, 'the chain_split alert to resolve');
    const done = await h.alerts.get(firing.id);
    assert.equal(done?.state, 'resolved');
    assert.equal(done?.resolution, 'all 3 compared nodes agree on one chain');
  });

  it('a node whose eth_config disagrees raises fork_view, and its view is what the node answers', async () => {
    h.setFleet(fleetOf([same[0]!.url, same[1]!.url, cancun.url]));
    const alert = await h.sweepUntil(async () => (await h.firing()).find((a) => a.rule === 'fork-view'), 'the fork_view alert');
    assert.equal(alert.node, 'eth-3');
    const config = (await rpc(cancun.url, 'eth_config')) as { current: Record<string, unknown> };
    const majority = (await rpc(same[0]!.url, 'eth_config')) as { current: Record<string, unknown> };
    assert.notDeepEqual(config.current, majority.current, 'the two hardforks really differ in eth_config');
    const snap = (await h.state.getSnapshots(['eth-3']))[0]!;
    assert.equal(snap.forkView?.currentForkId, String(config.current['forkId']).toLowerCase());
    assert.equal(snap.forkView?.currentDigest, digest(config.current));
    assert.match(alert.summary, new RegExp(`^eth-3's eth_config disagrees: .*${digest(config.current)}.* vs .*${digest(majority.current)}.* on 2 of 3 nodes$`));
  });
});

/** Independent of the adapter's code: SHA-256 over JSON with sorted keys, first 12 hex characters. */
function digest(v: unknown): string {
  const canon = (x: unknown): unknown => (Array.isArray(x) ? x.map(canon) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, y]) => [k, canon(y)])) : x);
  return createHash('sha256').update(JSON.stringify(canon(v))).digest('hex').slice(0, 12);
}
