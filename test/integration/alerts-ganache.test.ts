import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { alertHarness, rpc, type AlertHarness } from '../helpers/alert-harness.ts';

// Faults injected into three real ganache nodes (one chain each, mining a block a second), judged
// by the health worker's sweep and the alert engine, delivered to the console adapter. Every KPI an
// assertion reads is compared with a direct RPC call to the same node.
const HEAD_AGE_MS = 6_000;
let nodes: GanacheHandle[] = [];
let h: AlertHarness;
let fleet: Fleet;

const fleetOf = (urls: string[], desired = '7.9.2'): Fleet => fleetSchema.parse({
  version: 1,
  name: 'alerts-ganache',
  environments: {
    // Independent ganache chains drift a few blocks apart: lag is tested on peered litecoind nodes.
    prod: { thresholds: { max_lag_blocks: 1_000, max_head_age: `${HEAD_AGE_MS / 1000}s`, min_peers: 0 }, channels: { console: 'ops' } },
  },
  groups: { eth: { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: desired, rpc: { kind: 'eth' } } },
  nodes: urls.map((url, i) => ({ name: `eth-${i + 1}`, group: 'eth', env: 'prod', rpc_url: url })),
  health: { interval: '1s', timeout: '1s', concurrency: 8 },
  roles: { viewer: { console: ['*'] }, operator: { console: ['carol'] } },
  alerts: { reminder: 0 },
  // Each ganache node is its own chain: no chain-split check on this devnet.
  chain_truth: { split_skip: ['ethereum/devnet'] },
});

const blockOf = async (url: string) => (await rpc(url, 'eth_getBlockByNumber', ['latest', false])) as { number: string; timestamp: string };
const byKey = async (key: string): Promise<Alert | undefined> => (await h.alerts.active()).find((a) => a.key === key);
const firingKey = (key: string) => async () => {
  const a = await byKey(key);
  return a && (a.state === 'firing' || a.state === 'acknowledged') ? a : undefined;
};
/** Mine on `node` until it is level with the highest of the others (independent chains drift). */
async function catchUp(node: GanacheHandle): Promise<void> {
  const heights = await Promise.all(nodes.map(async (n) => Number.parseInt((await rpc(n.url, 'eth_blockNumber')) as string, 16)));
  const mine = Number.parseInt((await rpc(node.url, 'eth_blockNumber')) as string, 16);
  const gap = Math.max(...heights) - mine;
  if (gap > 0) await rpc(node.url, 'evm_mine', [{ blocks: gap }]);
}
/** The alert resolved, and its resolution went to the thread of its own root message. */
async function assertResolvedInThread(alert: Alert): Promise<void> {
  const done = await h.alerts.get(alert.id);
  assert.equal(done?.state, 'resolved');
  const root = await h.root(alert);
  assert.ok(root, 'the alert had a root message');
  const thread = h.thread(root);
  assert.ok(thread.some((m) => /Resolved after/.test(m.text)), `resolution in the thread of #${root.messageId}: ${thread.map((m) => m.text).join(' | ')}`);
  const edits = h.calls.filter((c) => c.op === 'update' && c.ref.messageId === root.messageId);
  assert.match(edits.at(-1)!.message.text, /^RESOLVED/, 'the root was edited in place to resolved');
}

before(async () => {
  nodes = await Promise.all([startGanache(), startGanache(), startGanache()]);
  fleet = fleetOf(nodes.map((n) => n.url));
  h = await alertHarness(fleet);
});

after(async () => {
  await h?.close();
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('alerts on real ganache nodes', { concurrency: false }, () => {
  it('a healthy run of several sweeps raises nothing, and the snapshots match the nodes', async () => {
    for (let i = 0; i < 4; i++) await h.sweep();
    assert.deepEqual(await h.alerts.active(), []);
    assert.equal(h.outbox.items.length, 0);
    for (const [i, n] of nodes.entries()) {
      const [snap] = await h.state.getSnapshots([`eth-${i + 1}`]);
      const direct = Number.parseInt((await rpc(n.url, 'eth_blockNumber')) as string, 16);
      assert.ok(snap && Math.abs(direct - snap.head!) <= 3, `head ${snap?.head} vs eth_blockNumber ${direct}`);
      assert.match((await rpc(n.url, 'web3_clientVersion')) as string, new RegExp(`/v${snap!.version!.replaceAll('.', '\\.')}/`));
    }
  });

  it('one slow reply (a node frozen for one sweep) never pages anyone', async () => {
    process.kill(nodes[1]!.pid, 'SIGSTOP');
    try {
      await h.sweep();
      assert.equal((await byKey('unreachable@eth-2'))?.state, 'pending');
    } finally {
      process.kill(nodes[1]!.pid, 'SIGCONT');
    }
    await h.sweepUntil(async () => !(await byKey('unreachable@eth-2')), 'the pending alert to be forgotten');
    assert.equal(h.outbox.items.length, 0, 'nothing was posted');
  });

  it('version drift (desired ≠ reported): one alert per node, resolved when the desired version matches again', async () => {
    h.setFleet(fleetOf(nodes.map((n) => n.url), '7.10.0'));
    const drift = await h.sweepUntil(async () => {
      const f = (await h.firing()).filter((a) => a.rule === 'version');
      return f.length === 3 ? f : undefined;
    }, 'three version alerts');
    for (const a of drift) {
      const reported = (await rpc(nodes[Number(a.node!.slice(4)) - 1]!.url, 'web3_clientVersion')) as string;
      assert.match(reported, /v7\.9\.2/);
      assert.equal(a.summary, 'version 7.9.2 ≠ desired 7.10.0');
    }
    await h.sweep();
    assert.equal((await h.firing()).filter((a) => a.rule === 'version').length, 3, 'de-duplicated per node and rule');
    h.setFleet(fleet);
    await h.sweepUntil(async () => (await h.firing()).length === 0, 'the version alerts to resolve');
    for (const a of drift) await assertResolvedInThread(a);
  });

  it('head stalled on one node (miner_stop): a node alert, acknowledged by button in the console, resolved in its thread', async () => {
    await rpc(nodes[0]!.url, 'miner_stop');
    const stalled = await h.sweepUntil(firingKey('head-age@eth-1'), 'a head-age alert on eth-1');
    assert.equal(await byKey('head-age@chain:prod/ethereum/devnet'), undefined, 'the others move: not a chain stall');
    const block = await blockOf(nodes[0]!.url);
    const ageMs = Date.now() - Number.parseInt(block.timestamp, 16) * 1_000;
    assert.ok(ageMs > HEAD_AGE_MS, `direct head age ${ageMs} ms`);
    assert.equal(Number.parseInt(block.number, 16), (await h.state.getSnapshots(['eth-1']))[0]!.head, 'the stored head is the node\'s head');

    // Press the Acknowledge button of the alert's message, as carol (an operator).
    const button = await h.button(stalled, 'Acknowledge');
    assert.ok(button, `an Acknowledge button under the alert:\n${h.output().slice(-2_000)}`);
    h.type(button);
    await h.sweepUntil(async () => (await byKey('head-age@eth-1'))?.state === 'acknowledged', 'the acknowledgement');
    assert.equal((await byKey('head-age@eth-1'))?.ack?.by, 'console:carol');
    const root = (await h.root(stalled))!;
    assert.ok(h.thread(root).some((m) => /Acknowledged by console:carol/.test(m.text)));
    assert.ok((await h.audit.latest(50)).some((e) => e.action === 'alert.ack' && e.ref === stalled.id));

    await catchUp(nodes[0]!);
    await rpc(nodes[0]!.url, 'miner_start');
    await h.sweepUntil(async () => !(await byKey('head-age@eth-1')), 'eth-1 to recover');
    await assertResolvedInThread(stalled);
  });

  it('node down (killed): unreachable fires; back on the same port, it resolves in the same thread', async () => {
    const port = nodes[2]!.port;
    await nodes[2]!.stop();
    const down = await h.sweepUntil(firingKey('unreachable@eth-3'), 'an unreachable alert on eth-3');
    await assert.rejects(rpc(nodes[2]!.url, 'eth_blockNumber'), 'the node really does not answer');
    assert.match(down.summary, /^unreachable: /);
    assert.equal(down.severity, 'critical');
    nodes[2] = await startGanache({ port });
    await catchUp(nodes[2]);
    await h.sweepUntil(async () => !(await byKey('unreachable@eth-3')), 'eth-3 to answer again');
    await assertResolvedInThread(down);
  });

  it('the whole chain stalled: exactly one alert, not one per node; resolved when blocks flow again', async () => {
    await h.sweepUntil(async () => (await h.alerts.active()).length === 0, 'a quiet fleet');
    // A node caught up with `evm_mine {blocks}` can carry head timestamps ahead of the clock; its head
    // would then look young for longer than its peers'. Stop mining only once no head is in the future.
    await waitFor(async () => (await Promise.all(nodes.map(async (n) => Number.parseInt((await blockOf(n.url)).timestamp, 16) * 1_000 <= Date.now()))).every(Boolean), { what: 'no head timestamp in the future', timeoutMs: 60_000 });
    const callsBefore = h.calls.length;
    await Promise.all(nodes.map((n) => rpc(n.url, 'miner_stop')));
    const chain = await h.sweepUntil(firingKey('head-age@chain:prod/ethereum/devnet'), 'a chain-stalled alert');
    for (let i = 0; i < 3; i++) await h.sweep();
    const firing = await h.firing();
    assert.deepEqual(firing.map((a) => a.key), ['head-age@chain:prod/ethereum/devnet']);
    assert.equal(h.calls.filter((c) => c.op === 'post' && c.message.text.includes('chain stalled')).length, 1, 'one message posted');
    for (const n of nodes) {
      const age = Date.now() - Number.parseInt((await blockOf(n.url)).timestamp, 16) * 1_000;
      assert.ok(age > HEAD_AGE_MS, `every head is old (${age} ms)`);
    }
    assert.match(chain.summary, /chain stalled: all 3 reporting nodes of ethereum\/devnet in prod have old heads/);
    const stoppedAt = await Promise.all(nodes.map(async (n) => Number.parseInt((await blockOf(n.url)).number, 16)));
    // Peered nodes get the chain's next block together; independent ganache chains do not, so give
    // each its next block at once (evm_mine) before they mine on their own again.
    await Promise.all(nodes.map((n) => rpc(n.url, 'evm_mine')));
    await Promise.all(nodes.map((n) => rpc(n.url, 'miner_start')));
    // Independent ganache chains resume one by one (peered nodes would get the next block together):
    // the recovery is injected once every node has a new block.
    await waitFor(async () => (await Promise.all(nodes.map(async (n, i) => Number.parseInt((await blockOf(n.url)).number, 16) > stoppedAt[i]!))).every(Boolean), { what: 'every node to mine again', timeoutMs: 15_000 });
    await h.sweepUntil(async () => !(await byKey(chain.key)), 'the chain to move again');
    await assertResolvedInThread(chain);
    // The nodes start mining again one after the other; any node result pending meanwhile clears.
    await h.sweepUntil(async () => (await h.alerts.active()).length === 0, 'no alert left, not even pending');
    const posted = h.calls.slice(callsBefore).filter((c) => c.op === 'post' && !c.ref.threadId);
    assert.deepEqual(posted.map((c) => c.message.text.replace(/:.*/, '')), ['FIRING chain stalled'], 'one root message in all');
  });
});
