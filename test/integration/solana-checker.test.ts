import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { createCheckers } from '../../adapters/rpc/checker-registry.ts';
import { fleetSchema, type Fleet, type FleetNode, type NodeGroup } from '../../src/fleet/fleet.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import { sweep } from '../../src/health/sweep.ts';
import { rpcFixtureOf, serveJsonRpc, serveSilence, type FixtureServer, type RpcFixture, type ServeOptions } from '../fixtures/rpc/fixture-server.ts';

const TIMEOUT = { timeoutMs: 2_000 };
const MAINNET_GENESIS = '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d';
const PW_ENV = `SOL_IT_PW_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;

function buildFleet(urls: string[]): Fleet {
  return fleetSchema.parse({
    version: 1,
    name: 'solana-it',
    environments: { prod: { thresholds: { max_lag_blocks: 150, max_head_age: '60s', min_peers: 0 } } },
    groups: {
      sol: { chain: 'solana', network: 'mainnet-beta', client: 'agave', desired_version: '2.0.15', rpc: { kind: 'solana' } },
    },
    nodes: urls.map((url, i) => ({ name: `sol-${i + 1}`, group: 'sol', env: 'prod', rpc_url: url })),
  });
}
const fleet = buildFleet(['http://127.0.0.1:1']);
const group = fleet.groups.sol as NodeGroup;
const nodeAt = (url: string, extra: Partial<FleetNode> = {}): FleetNode => ({ ...(fleet.nodes[0] as FleetNode), rpc_url: url, ...extra });

async function standIn(t: TestContext, fixture: RpcFixture, opts?: ServeOptions & { batches?: boolean }): Promise<FixtureServer> {
  const server = await serveJsonRpc(fixture, opts);
  t.after(() => server.close());
  return server;
}

describe('SolanaChecker against Solana JSON-RPC stand-ins', () => {
  const checkers = createCheckers();
  const solana = checkers('solana');
  after(() => checkers.close());

  it('reads a healthy node: confirmed slot, block time, solana-core version, genesis hash; peers left out', async (t) => {
    const server = await standIn(t, await rpcFixtureOf('solana/healthy'));
    const snap = await solana.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.error, undefined);
    assert.equal(snap.head, 287_654_321);
    assert.equal(snap.headTime, 1_726_000_000_000);
    assert.equal(snap.syncing, false);
    assert.equal(snap.client, 'solana-core');
    assert.equal(snap.version, '2.0.15');
    assert.equal(snap.clientVersion, 'solana-core/2.0.15');
    assert.equal(snap.chainId, MAINNET_GENESIS);
    assert.equal(snap.peers, undefined);
    assert.deepEqual(snap.warnings, []);
    // One batch for the four reads, then the block time of the slot just read.
    assert.deepEqual(server.requests, ['POST getHealth', 'POST getSlot', 'POST getVersion', 'POST getGenesisHash', 'POST getBlockTime']);
    const verdict = assessFleet(fleet, [{ ...snap, node: 'sol-1' }], snap.headTime! + 1_000).nodes[0];
    assert.deepEqual([verdict?.status, verdict?.reasons], ['healthy', []]);
  });

  it('turns getHealth -32005 with numSlotsBehind into syncing plus a warning; a skipped head slot leaves no head time', async (t) => {
    const server = await standIn(t, await rpcFixtureOf('solana/behind'));
    const snap = await solana.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.syncing, true);
    assert.equal(snap.head, 287_653_087);
    assert.equal(snap.headTime, undefined);
    assert.equal(snap.version, '1.18.22');
    assert.deepEqual(snap.warnings, ['node is behind by 1234 slots (getHealth)']);
  });

  it('says the node reports itself unhealthy when it cannot tell how far behind it is', async (t) => {
    const server = await standIn(t, await rpcFixtureOf('solana/unhealthy'));
    const snap = await solana.check(nodeAt(server.url), group, TIMEOUT);
    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.syncing, true);
    assert.equal(snap.head, 287_600_000);
    assert.equal(snap.headTime, 1_725_999_000_000);
    assert.deepEqual(snap.warnings, ['node reports itself unhealthy (getHealth: Node is unhealthy)']);
  });

  it('sweeps a healthy and a lagging node: the lagging one is syncing and behind the reference', async (t) => {
    const [a, b] = await Promise.all([standIn(t, await rpcFixtureOf('solana/healthy')), standIn(t, await rpcFixtureOf('solana/behind'))]);
    const two = buildFleet([a.url, b.url]);
    const snaps = await sweep(two, checkers, { concurrency: 2, timeoutMs: 2_000, now: Date.now });
    const health = assessFleet(two, snaps, 1_726_000_001_000);
    assert.deepEqual(health.nodes.map((n) => [n.node, n.status]), [['sol-1', 'healthy'], ['sol-2', 'degraded']]);
    // The syncing node is left out of the reference, so the healthy node's slot is the reference head.
    assert.equal(health.nodes[1]?.lag, 287_654_321 - 287_653_087);
    assert.ok(health.nodes[1]?.reasons.includes('syncing'));
  });

  it('falls back to single calls when batches are refused, with the same result', async (t) => {
    const server = await standIn(t, await rpcFixtureOf('solana/behind'), { batches: false });
    const snap = await solana.check(nodeAt(server.url), group, TIMEOUT);
    assert.equal(server.requests[0], 'POST [batch refused]');
    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.syncing, true);
    assert.equal(snap.head, 287_653_087);
    assert.deepEqual(snap.warnings, ['node is behind by 1234 slots (getHealth)']);
  });

  it('keeps a node with malformed answers reachable, with a clear error and warnings', async (t) => {
    const server = await standIn(t, await rpcFixtureOf('solana/malformed'));
    const snap = await solana.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true);
    assert.equal(snap.error, 'getSlot returned an unexpected shape (result: Invalid input: expected number, received string)');
    assert.equal(snap.head, undefined);
    assert.equal(snap.headTime, undefined);
    assert.equal(snap.version, undefined);
    assert.equal(snap.chainId, undefined);
    assert.deepEqual(snap.warnings, [
      'getVersion returned an unexpected shape (result.solana-core: Invalid input: expected string, received undefined)',
      'getGenesisHash returned an unexpected shape (result: expected a base58 hash)',
    ]);
    assert.equal(assessFleet(fleet, [{ ...snap, node: 'sol-1' }], Date.now()).nodes[0]?.status, 'degraded');
  });

  it('reports a port where every Solana method is unknown as down', async (t) => {
    const server = await standIn(t, await rpcFixtureOf('solana/not-solana'));
    const snap = await solana.check(nodeAt(server.url), group, TIMEOUT);
    assert.equal(snap.reachable, false);
    assert.equal(snap.error, 'no Solana RPC answer: getSlot failed: Method not found');
  });

  it('reports an unreachable node down, and a silent one timed out within the budget', async (t) => {
    const port = await freePort();
    const down = await solana.check(nodeAt(`http://127.0.0.1:${port}/API-KEY-42`), group, TIMEOUT);
    assert.equal(down.reachable, false);
    assert.match(down.error ?? '', new RegExp(`^connection refused.*\\(127\\.0\\.0\\.1:${port}\\)$`));
    assert.doesNotMatch(JSON.stringify(down), /API-KEY-42/);

    const silent = await serveSilence();
    t.after(() => silent.close());
    const started = performance.now();
    const late = await solana.check(nodeAt(silent.url), group, { timeoutMs: 300 });
    assert.equal(late.reachable, false);
    assert.match(late.error ?? '', /^timed out after 300 ms/);
    assert.ok(performance.now() - started < 1_500);
  });

  it('sends basic auth and keeps an echoed password out of the snapshot', async (t) => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    process.env[PW_ENV] = password;
    t.after(() => delete process.env[PW_ENV]);
    const fixture = await rpcFixtureOf('solana/healthy');
    fixture.methods.getGenesisHash = { error: { code: -32000, message: `denied for ops:${password}` } };
    const server = await standIn(t, fixture, { auth: { username: 'ops', password } });
    const snap = await solana.check(nodeAt(server.url, { rpc_auth: { username: 'ops', password_env: PW_ENV } }), group, TIMEOUT);
    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.head, 287_654_321);
    assert.deepEqual(snap.warnings, ['getGenesisHash failed: denied for ops:***']);
    assert.ok(!JSON.stringify(snap).includes(password));
  });
});
