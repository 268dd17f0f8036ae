import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { createCheckers } from '../../adapters/rpc/checker-registry.ts';
import { parseRfc3339 } from '../../adapters/rpc/cometbft.checker.ts';
import { fleetSchema, type Fleet, type FleetNode, type NodeGroup } from '../../src/fleet/fleet.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import { restFixtureOf, serveRest, serveSilence, type FixtureServer, type RestFixture, type ServeOptions } from '../fixtures/rpc/fixture-server.ts';

const TIMEOUT = { timeoutMs: 2_000 };
const PW_ENV = `CMT_IT_PW_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;

const fleet: Fleet = fleetSchema.parse({
  version: 1,
  name: 'cometbft-it',
  environments: { prod: { thresholds: { max_lag_blocks: 3, max_head_age: '60s', min_peers: 5 } } },
  groups: {
    hub: { chain: 'cosmos', network: 'cosmoshub-4', client: 'gaiad', desired_version: '0.37.6', rpc: { kind: 'cometbft' } },
  },
  nodes: [{ name: 'hub-1', group: 'hub', env: 'prod', rpc_url: 'http://127.0.0.1:1' }],
});
const group = fleet.groups.hub as NodeGroup;
const nodeAt = (url: string, extra: Partial<FleetNode> = {}): FleetNode => ({ ...(fleet.nodes[0] as FleetNode), rpc_url: url, ...extra });

async function standIn(t: TestContext, fixture: RestFixture, opts?: ServeOptions): Promise<FixtureServer> {
  const server = await serveRest(fixture, opts);
  t.after(() => server.close());
  return server;
}

describe('CometBftChecker against CometBFT RPC stand-ins', () => {
  const checkers = createCheckers();
  const cometbft = checkers('cometbft');
  after(() => checkers.close());

  it('reads a synced node: string height, nanosecond block time, network as chain id, peers', async (t) => {
    const server = await standIn(t, await restFixtureOf('cometbft/healthy'));
    const snap = await cometbft.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.error, undefined);
    assert.equal(snap.head, 21_234_567);
    assert.equal(snap.headTime, Date.UTC(2024, 6, 1, 12, 34, 56, 789));
    assert.equal(snap.syncing, false);
    assert.equal(snap.chainId, 'cosmoshub-4');
    assert.equal(snap.client, 'cometbft');
    assert.equal(snap.version, '0.37.6');
    assert.equal(snap.clientVersion, '0.37.6');
    assert.equal(snap.peers, 42);
    assert.deepEqual(snap.warnings, []);
    assert.deepEqual(server.requests.sort(), ['GET /net_info', 'GET /status']);
    const verdict = assessFleet(fleet, [{ ...snap, node: 'hub-1' }], snap.headTime! + 6_000).nodes[0];
    assert.deepEqual([verdict?.status, verdict?.reasons], ['healthy', []]);
  });

  it('reports catching_up as syncing, with the few peers it has', async (t) => {
    const server = await standIn(t, await restFixtureOf('cometbft/catching-up'));
    const snap = await cometbft.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.syncing, true);
    assert.equal(snap.syncProgress, undefined);
    assert.equal(snap.head, 15_000_000);
    assert.equal(snap.headTime, Date.UTC(2024, 4, 20, 8, 0, 0));
    assert.equal(snap.chainId, 'osmosis-1');
    assert.equal(snap.version, '0.34.29');
    assert.equal(snap.peers, 3);
    const verdict = assessFleet(fleet, [{ ...snap, node: 'hub-1' }], snap.headTime! + 3_600_000).nodes[0];
    assert.equal(verdict?.status, 'degraded');
    assert.deepEqual(verdict?.reasons, ['syncing', 'head age 60m > 60s', 'peers 3 < 5', 'version 0.34.29 ≠ desired 0.37.6']);
  });

  it('keeps a node whose /status fails reachable, with the JSON-RPC error as the error', async (t) => {
    const server = await standIn(t, await restFixtureOf('cometbft/status-error'));
    const snap = await cometbft.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true);
    assert.equal(snap.error, '/status answered HTTP 500: Internal error: failed to load latest block meta: leveldb: closed');
    assert.equal(snap.head, undefined);
    assert.equal(snap.peers, 17);
    assert.deepEqual(snap.warnings, []);
    assert.equal(assessFleet(fleet, [{ ...snap, node: 'hub-1' }], Date.now()).nodes[0]?.status, 'degraded');
  });

  it('keeps a node with malformed answers reachable, naming the field that is wrong', async (t) => {
    const server = await standIn(t, await restFixtureOf('cometbft/malformed'));
    const snap = await cometbft.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true);
    assert.equal(snap.error, '/status returned an unexpected shape (result.sync_info.latest_block_height: expected a decimal integer string)');
    assert.equal(snap.head, undefined);
    assert.equal(snap.chainId, undefined);
    assert.equal(snap.peers, undefined);
    assert.deepEqual(snap.warnings, ['/net_info returned an unexpected shape (result.n_peers: missing)']);
  });

  it('reports a port with no CometBFT RPC behind it as down, and an unreachable one as refused', async (t) => {
    const server = await standIn(t, { description: 'an HTTP server that knows no CometBFT path', routes: {} });
    const wrong = await cometbft.check(nodeAt(server.url), group, TIMEOUT);
    assert.equal(wrong.reachable, false);
    assert.equal(wrong.error, 'no CometBFT RPC answer: /status answered HTTP 404: NOT_FOUND');

    const port = await freePort();
    const down = await cometbft.check(nodeAt(`http://127.0.0.1:${port}/token/S3CRET-PATH`), group, TIMEOUT);
    assert.equal(down.reachable, false);
    assert.match(down.error ?? '', new RegExp(`^connection refused.*\\(127\\.0\\.0\\.1:${port}\\)$`));
    assert.doesNotMatch(JSON.stringify(down), /S3CRET-PATH/);
  });

  it('times out a node that never answers, within the budget', async (t) => {
    const silent = await serveSilence();
    t.after(() => silent.close());
    const started = performance.now();
    const snap = await cometbft.check(nodeAt(silent.url), group, { timeoutMs: 300 });
    assert.equal(snap.reachable, false);
    assert.match(snap.error ?? '', /^timed out after 300 ms/);
    assert.ok(performance.now() - started < 1_500);
  });

  it('goes through a provider path with basic auth and scrubs an echoed password', async (t) => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    process.env[PW_ENV] = password;
    t.after(() => delete process.env[PW_ENV]);
    const fixture = await restFixtureOf('cometbft/healthy');
    fixture.routes['GET /net_info'] = { status: 500, body: { jsonrpc: '2.0', id: -1, error: { code: -32603, message: 'Internal error', data: `auth ${password} rejected` } } };
    const server = await standIn(t, fixture, { prefix: '/cosmoshub/abc', auth: { username: 'ops', password } });
    const snap = await cometbft.check(nodeAt(server.url, { rpc_auth: { username: 'ops', password_env: PW_ENV } }), group, TIMEOUT);
    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.head, 21_234_567);
    assert.deepEqual(snap.warnings, ['/net_info answered HTTP 500: Internal error: auth *** rejected']);
    assert.ok(!JSON.stringify(snap).includes(password));
  });

  it('parses RFC3339 times with up to nanoseconds and offsets, and refuses anything else', () => {
    assert.equal(parseRfc3339('2024-07-01T12:34:56.789012345Z'), Date.UTC(2024, 6, 1, 12, 34, 56, 789));
    assert.equal(parseRfc3339('2024-07-01T12:34:56.5Z'), Date.UTC(2024, 6, 1, 12, 34, 56, 500));
    assert.equal(parseRfc3339('2024-07-01T14:34:56+02:00'), Date.UTC(2024, 6, 1, 12, 34, 56));
    assert.equal(parseRfc3339('2024-07-01 12:34:56'), undefined);
    assert.ok((parseRfc3339('0001-01-01T00:00:00Z') ?? 0) < 0, "Go's zero time is before the epoch");
  });
});
