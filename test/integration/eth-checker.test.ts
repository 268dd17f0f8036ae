import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { createCheckers } from '../../adapters/rpc/checker-registry.ts';
import { fleetSchema, type Fleet, type FleetNode, type NodeGroup } from '../../src/fleet/fleet.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import { sweep } from '../../src/health/sweep.ts';

const CHAIN_ID = 31337;
const TIMEOUT = { timeoutMs: 2_000 };

/** Direct JSON-RPC call, independent of the code under test. */
async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

function buildFleet(urls: string[]): Fleet {
  return fleetSchema.parse({
    version: 1,
    name: 'eth-it',
    // Independent ganache chains drift apart in height, so lag is not what this test is about.
    environments: { dev: { thresholds: { max_lag_blocks: 100_000, max_head_age: '60s', min_peers: 0 } } },
    groups: {
      ganache: { chain: 'ethereum', network: 'devnet', client: 'ganache', desired_version: '7.9.2', rpc: { kind: 'eth' } },
    },
    nodes: urls.map((url, i) => ({ name: `eth-${i + 1}`, group: 'ganache', env: 'dev', rpc_url: url })),
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('EthChecker against real ganache nodes', () => {
  const nodes: GanacheHandle[] = [];
  const servers: Server[] = [];
  const checkers = createCheckers();
  const eth = checkers('eth');
  let fleet: Fleet;
  let group: NodeGroup;

  before(async () => {
    nodes.push(...(await Promise.all([1, 2, 3].map((blockTimeSec) => startGanache({ blockTimeSec, chainId: CHAIN_ID })))));
    fleet = buildFleet(nodes.map((n) => n.url));
    group = fleet.groups.ganache as NodeGroup;
    // Let every node mine at least one block so head times are fresh.
    await waitFor(async () => Number(await rpc(nodes[2]!.url, 'eth_blockNumber')) >= 1, { what: 'a first block', timeoutMs: 10_000 });
  });

  after(async () => {
    await checkers.close();
    await Promise.all(nodes.map((n) => n.stop()));
    for (const s of servers) s.closeAllConnections(), s.close();
  });

  it('reports what the node itself answers', async () => {
    for (const [i, handle] of nodes.entries()) {
      const node = fleet.nodes[i] as FleetNode;
      const before = Number(await rpc(handle.url, 'eth_blockNumber'));
      const snap = await eth.check(node, group, TIMEOUT);
      const afterHead = Number(await rpc(handle.url, 'eth_blockNumber'));
      const block = await rpc(handle.url, 'eth_getBlockByNumber', [`0x${snap.head!.toString(16)}`, false]);

      assert.equal(snap.reachable, true, snap.error);
      assert.equal(snap.node, node.name);
      assert.equal(snap.chainId, String(Number(await rpc(handle.url, 'eth_chainId'))));
      assert.equal(snap.chainId, String(CHAIN_ID));
      assert.ok(snap.head! >= before && snap.head! <= afterHead, `head ${snap.head} not within ${before}..${afterHead}`);
      assert.equal(snap.headTime, Number(block.timestamp) * 1000);
      assert.ok(Math.abs(Date.now() - snap.headTime!) < 10_000, 'head block is recent');
      assert.equal(snap.client, 'ganache');
      assert.equal(snap.version, '7.9.2');
      assert.equal(snap.clientVersion, await rpc(handle.url, 'web3_clientVersion'));
      assert.equal(snap.syncing, false);
      assert.equal(snap.peers, 0);
      assert.ok(snap.latencyMs > 0 && snap.latencyMs < 2_000);
      assert.deepEqual(snap.warnings, []);
    }
  });

  it('falls back to single calls when the node refuses batches', async () => {
    const target = nodes[0]!.url;
    const proxy = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      res.setHeader('content-type', 'application/json');
      if (body.trimStart().startsWith('[')) {
        res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch requests are disabled' } }));
        return;
      }
      const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.end(await upstream.text());
    });
    servers.push(proxy);
    const port = await listen(proxy);
    const node = { ...(fleet.nodes[0] as FleetNode), rpc_url: `http://127.0.0.1:${port}` };
    const snap = await eth.check(node, group, TIMEOUT);
    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.chainId, String(CHAIN_ID));
    assert.equal(snap.version, '7.9.2');
    assert.equal(typeof snap.headTime, 'number');
  });

  it('times out a node that never answers, within the budget', async () => {
    const silent = createServer(() => {});
    servers.push(silent);
    const port = await listen(silent);
    const node = { ...(fleet.nodes[0] as FleetNode), rpc_url: `http://127.0.0.1:${port}` };
    const started = performance.now();
    const snap = await eth.check(node, group, { timeoutMs: 300 });
    assert.equal(snap.reachable, false);
    assert.equal(snap.error, `timed out after 300 ms (127.0.0.1:${port})`);
    assert.ok(performance.now() - started < 1_500);
  });

  it('never puts the URL path (API keys) in an error', async () => {
    const port = await freePort();
    const node = { ...(fleet.nodes[0] as FleetNode), rpc_url: `http://127.0.0.1:${port}/v3/SUPERSECRETKEY` };
    const snap = await eth.check(node, group, TIMEOUT);
    assert.equal(snap.reachable, false);
    assert.match(snap.error ?? '', /connection refused/);
    assert.doesNotMatch(snap.error ?? '', /SUPERSECRETKEY/);
  });

  it('reports beacon, solana and cometbft kinds pointed at an execution node as down, saying why', async () => {
    const expected = { beacon: /^no Beacon API answer: \/eth\/v1\/node\/syncing answered HTTP 404/, solana: /^no Solana RPC answer: getSlot failed: /, cometbft: /^no CometBFT RPC answer: \/status answered HTTP 404/ };
    for (const kind of ['beacon', 'solana', 'cometbft'] as const) {
      const snap = await checkers(kind).check(fleet.nodes[0] as FleetNode, group, TIMEOUT);
      assert.equal(snap.reachable, false);
      assert.match(snap.error ?? '', expected[kind]);
    }
  });

  it('sweeps the fleet, then reports a stopped node down and the others healthy', async () => {
    const first = await sweep(fleet, checkers, { concurrency: 2, timeoutMs: 2_000, now: Date.now });
    assert.deepEqual(first.map((s) => s.reachable), [true, true, true]);
    assert.deepEqual(assessFleet(fleet, first, Date.now()).nodes.map((n) => n.status), ['healthy', 'healthy', 'healthy']);

    const stopped = nodes[1]!;
    await stopped.stop();
    const snaps = await sweep(fleet, checkers, { concurrency: 2, timeoutMs: 2_000, now: Date.now });
    const down = snaps[1]!;
    assert.equal(down.reachable, false);
    assert.match(down.error ?? '', new RegExp(`^connection refused.*\\(127\\.0\\.0\\.1:${stopped.port}\\)$`));

    const health = assessFleet(fleet, snaps, Date.now());
    assert.deepEqual(
      health.nodes.map((n) => [n.node, n.status]),
      [['eth-1', 'healthy'], ['eth-2', 'down'], ['eth-3', 'healthy']],
    );
    assert.match(health.nodes[1]!.reasons[0] ?? '', /connection refused/);
    const summary = health.groups[0]!;
    assert.equal(summary.healthy, 2);
    assert.equal(summary.down, 1);
    assert.deepEqual(summary.versions, { '7.9.2': 2 });
  });
});
