import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startLitecoind, type LitecoindHandle } from '../../adapters/local/litecoind.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { fleetSchema } from '../../src/fleet/fleet.schema.ts';
import { alertHarness, type AlertHarness } from '../helpers/alert-harness.ts';

// Two peered regtest litecoind nodes. Cut apart with `setnetworkactive false` and mining on each,
// they are on two chains of one network: with two nodes neither side is the majority, so the one
// chain_split alert says it is a tie. Joined again, the shorter side reorganises onto the longer
// chain and the alert resolves.
const USER = 'chainops';
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const PW_ENV = `LTC_SPLIT_PW_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
let a: LitecoindHandle;
let b: LitecoindHandle;
let h: AlertHarness;

const count = async (n: LitecoindHandle) => (await n.call('getblockcount')) as number;
const splitAlerts = async () => (await h.alerts.active()).filter((x) => x.rule === 'chain-split');
/** Mines to another output script than `generate` does, so b's blocks differ from a's even within one second. */
async function mineElsewhere(n: LitecoindHandle, blocks: number): Promise<void> {
  const { checksum } = (await n.call('getdescriptorinfo', ['raw(52)'])) as { checksum: string };
  await n.call('generatetodescriptor', [blocks, `raw(52)#${checksum}`]);
}

before(async () => {
  process.env[PW_ENV] = PASSWORD;
  a = await startLitecoind({ rpcUser: USER, rpcPassword: PASSWORD });
  b = await startLitecoind({ rpcUser: USER, rpcPassword: PASSWORD, peers: [a.p2pPort] });
  await a.generate(10);
  await waitFor(async () => (await count(b)) === 10, { what: 'b to follow a to height 10', timeoutMs: 30_000 });
  h = await alertHarness(fleetSchema.parse({
    version: 1,
    name: 'split-ltc',
    environments: { dev: { thresholds: { max_lag_blocks: 100, max_head_age: '1d', min_peers: 0 }, channels: { console: 'ltc-ops' } } },
    groups: { ltc: { chain: 'litecoin', network: 'regtest', client: 'litecoind', desired_version: '0.21.2.1', rpc: { kind: 'bitcoin' } } },
    nodes: [a, b].map((n, i) => ({ name: `ltc-${i + 1}`, group: 'ltc', env: 'dev', rpc_url: n.rpcUrl, rpc_auth: { username: USER, password_env: PW_ENV } })),
    health: { interval: '1s', timeout: '3s' },
    roles: { viewer: { console: ['*'] } },
  }), { paceMs: 300 });
});

after(async () => {
  await h?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('chain split on real litecoind nodes', () => {
  it('peered nodes on one chain: no split alert', async () => {
    for (let i = 0; i < 3; i++) await h.sweep();
    const snaps = await h.state.getSnapshots();
    assert.ok(snaps.every((s) => s.hashes?.some((x) => x.height === 10)), 'both reported the hash at their head');
    assert.deepEqual(await splitAlerts(), []);
  });

  it('cut apart and mining apart: one chain_split alert that calls it a tie', async () => {
    await Promise.all([a.call('setnetworkactive', [false]), b.call('setnetworkactive', [false])]);
    await waitFor(async () => ((await a.call('getconnectioncount')) as number) === 0 && ((await b.call('getconnectioncount')) as number) === 0, { what: 'both nodes to drop their peers' });
    await a.generate(3);
    await mineElsewhere(b, 3);
    const alert = await h.sweepUntil(async () => (await splitAlerts()).find((x) => x.state === 'firing'), 'the chain_split alert to fire');
    for (let i = 0; i < 2; i++) await h.sweep();
    assert.equal((await splitAlerts()).length, 1);
    const hashA = (await a.call('getblockhash', [13])) as string;
    const hashB = (await b.call('getblockhash', [13])) as string;
    assert.notEqual(hashA, hashB);
    assert.match(alert.summary, /^chain split with no majority at height 13 \(2 nodes\): .* — a tie, so no side is called wrong/);
    assert.ok(alert.summary.includes(`${hashA.slice(0, 6)}… on ltc-1`), alert.summary);
    assert.ok(alert.summary.includes(`${hashB.slice(0, 6)}… on ltc-2`), alert.summary);
  });

  it('joined again, the shorter side follows the longer chain and the alert resolves', async () => {
    const firing = (await splitAlerts())[0]!;
    await a.generate(2);
    await Promise.all([a.call('setnetworkactive', [true]), b.call('setnetworkactive', [true])]);
    await b.call('addnode', [`127.0.0.1:${a.p2pPort}`, 'onetry']);
    await waitFor(async () => (await b.call('getbestblockhash')) === (await a.call('getbestblockhash')), { what: 'b to reorganise onto a', timeoutMs: 30_000 });
    await h.sweepUntil(async () => (await splitAlerts()).length === 0, 'the chain_split alert to resolve');
    assert.equal((await h.alerts.get(firing.id))?.state, 'resolved');
  });
});
