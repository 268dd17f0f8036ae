import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { healthProcessor } from '../../jobs/health/health.processor.ts';
import { alertHarness, type AlertHarness } from '../helpers/alert-harness.ts';

// Rechecks on real ganache nodes: the sweep interval is long (1 h, so no second sweep can happen
// during a test); a node failing a check is checked again after `health.recheck` (1 s) by a delayed
// health job, which confirms (or forgets) its alert long before the next sweep would.
let nodes: GanacheHandle[] = [];
let h: AlertHarness;

const fleetOf = (urls: string[]): Fleet => fleetSchema.parse({
  version: 1,
  name: 'alerts-recheck',
  environments: { prod: { thresholds: { max_lag_blocks: 1_000, max_head_age: '60s', min_peers: 0 }, channels: { console: 'ops' } } },
  groups: { eth: { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: '7.9.2', rpc: { kind: 'eth' } } },
  nodes: urls.map((url, i) => ({ name: `eth-${i + 1}`, group: 'eth', env: 'prod', rpc_url: url })),
  health: { interval: '1h', timeout: '1s', recheck: '1s', concurrency: 8 },
  roles: { viewer: { console: ['*'] } },
  alerts: { reminder: 0 },
  // Each ganache node is its own chain: no chain-split check on this devnet.
  chain_truth: { split_skip: ['ethereum/devnet'] },
});

before(async () => {
  nodes = await Promise.all([startGanache(), startGanache()]);
  h = await alertHarness(fleetOf(nodes.map((n) => n.url)));
  h.queue.run('health', healthProcessor(h.deps));
});

after(async () => {
  await h?.close();
  await Promise.all(nodes.map((n) => n.stop()));
});

const byKey = async (key: string) => (await h.alerts.active()).find((a) => a.key === key);
const rechecks = async () => (await h.queue.list(100)).filter((j) => j.queue === 'health' && j.id.startsWith('rc-'));

describe('rechecks of nodes whose alerts are confirming', { concurrency: false }, () => {
  it('a node frozen for one sweep: the recheck finds it answering again and the pending alert is forgotten, unposted', async () => {
    await h.sweep();
    process.kill(nodes[1]!.pid, 'SIGSTOP');
    try {
      await h.sweep();
      assert.equal((await byKey('unreachable@eth-2'))?.state, 'pending');
      const [queued] = await rechecks();
      assert.ok(queued, 'a recheck was queued');
      assert.deepEqual((queued.data as { nodes: string[] }).nodes, ['eth-2'], 'only the confirming node is checked again');
    } finally {
      process.kill(nodes[1]!.pid, 'SIGCONT');
    }
    await waitFor(async () => !(await byKey('unreachable@eth-2')), { what: 'the recheck to clear the pending alert', timeoutMs: 15_000 });
    assert.equal(h.outbox.items.length, 0, 'nothing was posted');
  });

  it('a node killed: one sweep and one recheck fire its alert, with no second sweep (the interval is 1 h)', async () => {
    const before = (await rechecks()).length;
    await nodes[1]!.stop();
    await h.sweep();
    assert.equal((await byKey('unreachable@eth-2'))?.state, 'pending', 'one result: still confirming');
    const fired = await waitFor(async () => {
      const a = await byKey('unreachable@eth-2');
      return a?.state === 'firing' ? a : undefined;
    }, { what: 'the recheck to fire the alert', timeoutMs: 15_000 });
    assert.equal(fired.count, 2, 'fired on its second result in a row');
    assert.equal((await rechecks()).length, before + 1, 'by exactly one recheck');
    assert.equal((await byKey('unreachable@eth-1')), undefined, 'the healthy node was never judged down');
    assert.ok(h.outbox.items.some((i) => i.op === 'upsert' && /FIRING/.test(i.message.text) && /eth-2/.test(i.message.text)), 'the alert was posted');
  });
});
