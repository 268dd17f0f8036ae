import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startBlockProducer, startLitecoind, type BlockProducerStop, type LitecoindHandle } from '../../adapters/local/litecoind.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { fleetSchema } from '../../src/fleet/fleet.schema.ts';
import { alertHarness, type AlertHarness } from '../helpers/alert-harness.ts';

// Three peered regtest litecoind nodes (one mines a block a second, the others follow over P2P):
// a node cut off from the network lags and resolves when it catches up; the whole chain stalls
// when mining stops — one alert — and resolves when it starts again. Every KPI asserted is checked
// against the node's own RPC.
const USER = 'chainops';
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const PW_ENV = `LTC_ALERT_PW_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
const HEAD_AGE_S = 8;
let nodes: LitecoindHandle[] = [];
let producer: BlockProducerStop | undefined;
let h: AlertHarness;

const count = async (n: LitecoindHandle) => (await n.call('getblockcount')) as number;
const headAgeMs = async (n: LitecoindHandle) => {
  const header = (await n.call('getblockheader', [(await n.call('getbestblockhash')) as string])) as { time: number };
  return Date.now() - header.time * 1_000;
};
const byKey = async (key: string): Promise<Alert | undefined> => (await h.alerts.active()).find((a) => a.key === key);
const firingKey = (key: string) => async () => {
  const a = await byKey(key);
  return a && (a.state === 'firing' || a.state === 'acknowledged') ? a : undefined;
};
const produce = () => startBlockProducer(nodes[0]!, 1_000, (err) => console.error('mining failed', err));

async function assertResolvedInThread(alert: Alert): Promise<void> {
  assert.equal((await h.alerts.get(alert.id))?.state, 'resolved');
  const root = await h.root(alert);
  assert.ok(root);
  assert.ok(h.thread(root).some((m) => /Resolved after/.test(m.text)), 'the resolution is in the alert\'s own thread');
}

before(async () => {
  process.env[PW_ENV] = PASSWORD;
  const first = await startLitecoind({ rpcUser: USER, rpcPassword: PASSWORD });
  const rest = await Promise.all([1, 2].map(() => startLitecoind({ rpcUser: USER, rpcPassword: PASSWORD, peers: [first.p2pPort] })));
  nodes = [first, ...rest];
  await first.generate(1); // leave initial block download: regtest's genesis is years old
  await waitFor(async () => (await Promise.all(nodes.map(count))).every((c) => c >= 1), { what: 'all nodes to have block 1', timeoutMs: 30_000 });
  producer = produce();
  h = await alertHarness(fleetSchema.parse({
    version: 1,
    name: 'alerts-ltc',
    environments: { dev: { thresholds: { max_lag_blocks: 3, max_head_age: `${HEAD_AGE_S}s`, min_peers: 1 }, channels: { console: 'ltc-ops' } } },
    groups: { ltc: { chain: 'litecoin', network: 'regtest', client: 'litecoind', desired_version: '0.21.2.1', rpc: { kind: 'bitcoin' } } },
    nodes: nodes.map((n, i) => ({ name: `ltc-${i + 1}`, group: 'ltc', env: 'dev', rpc_url: n.rpcUrl, rpc_auth: { username: USER, password_env: PW_ENV } })),
    health: { interval: '1s', timeout: '2s' },
    roles: { viewer: { console: ['*'] } },
  }), { paceMs: 1_000 });
});

after(async () => {
  await producer?.();
  await h?.close();
  await Promise.all(nodes.map((n) => n.stop()));
  delete process.env[PW_ENV];
});

describe('alerts on real litecoind nodes', { concurrency: false }, () => {
  it('a healthy run of several sweeps raises nothing', async () => {
    await waitFor(async () => (await Promise.all(nodes.map((n) => n.call('getconnectioncount') as Promise<number>))).every((c) => c >= 1), { what: 'peers connected', timeoutMs: 20_000 });
    for (let i = 0; i < 4; i++) await h.sweep();
    assert.deepEqual((await h.alerts.active()).map((a) => a.key), []);
    assert.equal(h.outbox.items.length, 0);
  });

  it('lag: a node cut off from its peers falls behind; it resolves in the same thread once reconnected', async () => {
    const cut = nodes[2]!;
    await cut.call('setnetworkactive', [false]);
    await nodes[0]!.generate(6);
    const lag = await h.sweepUntil(firingKey('lag@ltc-3'), 'a lag alert on ltc-3');
    const [snap] = await h.state.getSnapshots(['ltc-3']);
    assert.equal(snap!.head, await count(cut), 'the stored head is the node\'s getblockcount');
    const behind = (await count(nodes[1]!)) - (await count(cut));
    assert.ok(lag.value! > 3 && Math.abs(lag.value! - behind) <= 3, `lag ${lag.value} vs direct getblockcount difference ${behind}`);
    assert.match(lag.summary, /^lag \d+ blocks > 3 blocks$/);
    assert.equal(await byKey('head-age@chain:dev/litecoin/regtest'), undefined, 'the chain itself moves');

    await cut.call('setnetworkactive', [true]);
    await cut.call('addnode', [`127.0.0.1:${nodes[0]!.p2pPort}`, 'onetry']);
    await h.sweepUntil(async () => !(await byKey('lag@ltc-3')), 'ltc-3 to catch up');
    assert.ok(Math.abs((await count(nodes[0]!)) - (await count(cut))) <= 2, 'caught up, says getblockcount');
    await assertResolvedInThread(lag);
    await h.sweepUntil(async () => (await h.alerts.active()).length === 0, 'every alert of the cut-off node to clear');
  });

  it('mining stops: the whole chain stalls — exactly one alert — and resolves when blocks come again', async () => {
    const before = h.calls.length;
    await producer!();
    producer = undefined;
    const chain = await h.sweepUntil(firingKey('head-age@chain:dev/litecoin/regtest'), 'a chain-stalled alert', 40_000);
    for (let i = 0; i < 2; i++) await h.sweep();
    assert.deepEqual((await h.firing()).map((a) => a.key), ['head-age@chain:dev/litecoin/regtest']);
    for (const n of nodes) assert.ok((await headAgeMs(n)) > HEAD_AGE_S * 1_000, 'every node\'s head block is old, says getblockheader');
    assert.match(chain.summary, /all 3 reporting nodes of litecoin\/regtest in dev have old heads/);
    producer = produce();
    await h.sweepUntil(async () => !(await byKey(chain.key)), 'blocks to flow again');
    await assertResolvedInThread(chain);
    await h.sweepUntil(async () => (await h.alerts.active()).length === 0, 'no alert left');
    const roots = h.calls.slice(before).filter((c) => c.op === 'post' && !c.ref.threadId);
    assert.equal(roots.length, 1, roots.map((c) => c.message.text).join(' | '));
  });
});
