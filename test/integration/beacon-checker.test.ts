import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { createCheckers } from '../../adapters/rpc/checker-registry.ts';
import { fleetSchema, type Fleet, type FleetNode, type NodeGroup } from '../../src/fleet/fleet.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import { restFixtureOf, serveRest, serveSilence, type FixtureServer, type RestFixture, type ServeOptions } from '../fixtures/rpc/fixture-server.ts';

const TIMEOUT = { timeoutMs: 2_000 };
const PW_ENV = `BEACON_IT_PW_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;

const fleet: Fleet = fleetSchema.parse({
  version: 1,
  name: 'beacon-it',
  environments: { prod: { thresholds: { max_lag_blocks: 5, max_head_age: '60s', min_peers: 3 } } },
  groups: {
    cl: { chain: 'ethereum', network: 'mainnet', client: 'lighthouse', desired_version: '5.1.3', rpc: { kind: 'beacon' } },
  },
  nodes: [{ name: 'cl-1', group: 'cl', env: 'prod', rpc_url: 'http://127.0.0.1:1' }],
});
const group = fleet.groups.cl as NodeGroup;
const nodeAt = (url: string, extra: Partial<FleetNode> = {}): FleetNode => ({ ...(fleet.nodes[0] as FleetNode), rpc_url: url, ...extra });

/** One stand-in per test, closed when the test ends. */
async function standIn(t: TestContext, fixture: RestFixture, opts?: ServeOptions): Promise<FixtureServer> {
  const server = await serveRest(fixture, opts);
  t.after(() => server.close());
  return server;
}

describe('BeaconChecker against Beacon API stand-ins', () => {
  const checkers = createCheckers();
  const beacon = checkers('beacon');
  after(() => checkers.close());

  it('reads a synced node: head slot, head time from genesis and slot length, peers, client version, chain id', async (t) => {
    const server = await standIn(t, await restFixtureOf('beacon/healthy'));
    const snap = await beacon.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.error, undefined);
    assert.equal(snap.head, 9_012_345);
    assert.equal(snap.headTime, (1_606_824_023 + 9_012_345 * 12) * 1000);
    assert.equal(snap.syncing, false);
    assert.equal(snap.syncProgress, undefined);
    assert.equal(snap.peers, 87);
    assert.equal(snap.client, 'lighthouse');
    assert.equal(snap.version, '5.1.3');
    // From /eth/v2/node/version (beacon_node name and version); the deprecated v1 is not asked.
    assert.equal(snap.clientVersion, 'Lighthouse/v5.1.3');
    assert.ok(!server.requests.includes('GET /eth/v1/node/version'));
    assert.equal(snap.chainId, '1');
    assert.deepEqual(snap.warnings, []);
    assert.ok(snap.latencyMs > 0 && snap.latencyMs < 2_000);

    const health = assessFleet(fleet, [{ ...snap, node: 'cl-1' }], snap.headTime! + 5_000);
    assert.deepEqual([health.nodes[0]?.status, health.nodes[0]?.reasons], ['healthy', []]);
  });

  it('asks for genesis and spec once per node, then uses the cached clock', async (t) => {
    const server = await standIn(t, await restFixtureOf('beacon/healthy'));
    const first = await beacon.check(nodeAt(server.url), group, TIMEOUT);
    const asked = server.requests.length;
    const second = await beacon.check(nodeAt(server.url), group, TIMEOUT);
    const again = server.requests.slice(asked);
    assert.deepEqual(again.sort(), ['GET /eth/v1/node/health', 'GET /eth/v1/node/peer_count', 'GET /eth/v1/node/syncing', 'GET /eth/v2/node/version']);
    assert.equal(second.headTime, first.headTime);
    assert.equal(second.chainId, '1');
  });

  it('reports a syncing node (health 206): progress, distance, optimistic head, 5 s slots of the spec', async (t) => {
    const server = await standIn(t, await restFixtureOf('beacon/syncing'));
    const snap = await beacon.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.syncing, true);
    assert.equal(snap.head, 8_900_000);
    assert.equal(snap.syncProgress, 8_900_000 / 9_000_000);
    assert.equal(snap.headTime, (1_638_993_340 + 8_900_000 * 5) * 1000);
    assert.equal(snap.chainId, '100');
    assert.equal(snap.peers, 12);
    assert.equal(snap.client, 'teku');
    assert.equal(snap.version, '24.4.0');
    assert.deepEqual(snap.warnings, ['100000 slots behind the network head']);
    assert.deepEqual(snap.faults, ['optimistic: the head is not yet verified by the execution client']);
    const verdict = assessFleet(fleet, [{ ...snap, node: 'cl-1' }], snap.headTime!).nodes[0];
    assert.equal(verdict?.status, 'degraded');
    assert.ok(verdict?.reasons.includes('optimistic: the head is not yet verified by the execution client'));
    assert.ok(verdict?.reasons.includes('syncing (98.9%)'), verdict?.reasons.join('; '));
    assert.ok(verdict?.reasons.includes('version 24.4.0 ≠ desired 5.1.3'));
  });

  it('judges a node whose execution client is offline not healthy (206, el_offline), reads v1 version when v2 is missing, assumes 12 s slots', async (t) => {
    const server = await standIn(t, await restFixtureOf('beacon/el-offline'));
    const snap = await beacon.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.syncing, false);
    assert.equal(snap.head, 9_012_340);
    assert.equal(snap.headTime, (1_606_824_023 + 9_012_340 * 12) * 1000);
    assert.equal(snap.chainId, undefined);
    assert.equal(snap.client, 'prysm');
    assert.equal(snap.version, '5.0.3');
    assert.ok(server.requests.includes('GET /eth/v2/node/version') && server.requests.includes('GET /eth/v1/node/version'), 'v2 first, then the v1 fallback');
    assert.deepEqual(snap.faults, ['execution client offline (el_offline): check the execution node and the engine API JWT']);
    assert.deepEqual(snap.warnings, ['slot length unknown, assumed 12s: /eth/v1/config/spec answered HTTP 500: Internal server error']);
    const verdict = assessFleet(fleet, [{ ...snap, node: 'cl-1', version: '5.1.3' }], snap.headTime! + 5_000).nodes[0];
    assert.deepEqual([verdict?.status, verdict?.reasons], ['degraded', ['execution client offline (el_offline): check the execution node and the engine API JWT']]);
    // Not syncing: it stays in the reference head of its chain.
    assert.equal(assessFleet(fleet, [{ ...snap, node: 'cl-1' }], snap.headTime!).groups[0]?.referenceHead, 9_012_340);
    // An incomplete clock is not cached: the next check asks for the spec again.
    const before = server.requests.length;
    await beacon.check(nodeAt(server.url), group, TIMEOUT);
    assert.ok(server.requests.slice(before).includes('GET /eth/v1/config/spec'));
  });

  it('counts a node that answers 503 (not initialised) as down, and still reports what it could read', async (t) => {
    const server = await standIn(t, await restFixtureOf('beacon/not-ready'));
    const snap = await beacon.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, false);
    assert.equal(snap.error, 'beacon node not ready: /eth/v1/node/health answered HTTP 503 (not initialised or having issues)');
    assert.equal(snap.head, undefined);
    assert.equal(snap.headTime, undefined);
    assert.equal(snap.peers, 0);
    assert.equal(snap.client, 'nimbus');
    assert.equal(snap.version, '24.4.0');
    assert.deepEqual(snap.warnings, [
      '/eth/v1/node/syncing answered HTTP 500: Beacon node is not initialised yet',
      'head time unknown: /eth/v1/beacon/genesis answered HTTP 404: Chain genesis info is not yet known',
    ]);
    const verdict = assessFleet(fleet, [{ ...snap, node: 'cl-1' }], Date.now()).nodes[0];
    assert.deepEqual([verdict?.status, verdict?.reasons], ['down', [snap.error]]);
  });

  it('reads health 206 with a synced, verified head as the spec\'s other meaning: not ready, yet kept in the reference head', async (t) => {
    const fixture = await restFixtureOf('beacon/healthy');
    fixture.routes['GET /eth/v1/node/health'] = { status: 206 };
    const server = await standIn(t, fixture);
    const snap = await beacon.check(nodeAt(server.url), group, TIMEOUT);
    assert.equal(snap.syncing, false);
    assert.deepEqual(snap.faults, ['/eth/v1/node/health answered 206: syncing, or its execution client is optimistic or offline']);
    const health = assessFleet(fleet, [{ ...snap, node: 'cl-1' }], snap.headTime! + 5_000);
    assert.equal(health.nodes[0]?.status, 'degraded');
    assert.equal(health.groups[0]?.referenceHead, 9_012_345);
  });

  it('keeps a node with malformed answers reachable, with a clear error and no made-up values', async (t) => {
    const server = await standIn(t, await restFixtureOf('beacon/malformed'));
    const snap = await beacon.check(nodeAt(server.url), group, TIMEOUT);

    assert.equal(snap.reachable, true);
    assert.equal(snap.error, '/eth/v1/node/syncing returned an unexpected shape (data: Invalid input: expected object, received undefined)');
    assert.equal(snap.head, undefined);
    assert.equal(snap.headTime, undefined);
    assert.equal(snap.syncing, undefined);
    assert.equal(snap.peers, undefined);
    assert.equal(snap.version, undefined);
    assert.deepEqual(snap.warnings, [
      '/eth/v1/node/peer_count returned an unexpected shape (data.connected: expected a decimal integer string)',
      '/eth/v1/node/version answered HTTP 200 with a body that is not JSON',
    ]);
    const verdict = assessFleet(fleet, [{ ...snap, node: 'cl-1' }], Date.now()).nodes[0];
    assert.deepEqual([verdict?.status, verdict?.reasons], ['degraded', ['no head block reported']]);
  });

  it('reports a port with no Beacon API behind it as down, naming what it answered', async (t) => {
    const server = await standIn(t, { description: 'an HTTP server that knows no Beacon path', routes: {} });
    const snap = await beacon.check(nodeAt(server.url), group, TIMEOUT);
    assert.equal(snap.reachable, false);
    assert.equal(snap.error, 'no Beacon API answer: /eth/v1/node/syncing answered HTTP 404: NOT_FOUND');
  });

  it('reports an unreachable node down without the URL path', async () => {
    const port = await freePort();
    const snap = await beacon.check(nodeAt(`http://127.0.0.1:${port}/key/SUPERSECRETKEY`), group, TIMEOUT);
    assert.equal(snap.reachable, false);
    assert.match(snap.error ?? '', new RegExp(`^connection refused.*\\(127\\.0\\.0\\.1:${port}\\)$`));
    assert.doesNotMatch(JSON.stringify(snap), /SUPERSECRETKEY/);
  });

  it('times out a node that never answers, within the budget', async (t) => {
    const silent = await serveSilence();
    t.after(() => silent.close());
    const started = performance.now();
    const snap = await beacon.check(nodeAt(silent.url), group, { timeoutMs: 300 });
    assert.equal(snap.reachable, false);
    assert.match(snap.error ?? '', /^timed out after 300 ms \(127\.0\.0\.1:\d+\)$/);
    assert.ok(performance.now() - started < 1_500);
  });

  it('keeps the provider path of the URL, sends basic auth, and never shows the password', async (t) => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    process.env[PW_ENV] = password;
    t.after(() => delete process.env[PW_ENV]);
    const fixture = await restFixtureOf('beacon/healthy');
    // A node that echoes the password back in an error must not get it into the snapshot.
    fixture.routes['GET /eth/v1/node/peer_count'] = { status: 500, body: { code: 500, message: `bad credentials ${password}` } };
    const server = await standIn(t, fixture, { prefix: '/v1/KEY123', auth: { username: 'ops', password } });
    const node = nodeAt(server.url, { rpc_auth: { username: 'ops', password_env: PW_ENV } });

    const snap = await beacon.check(node, group, TIMEOUT);
    assert.equal(snap.reachable, true, snap.error);
    assert.equal(snap.head, 9_012_345);
    assert.deepEqual(snap.warnings, ['/eth/v1/node/peer_count answered HTTP 500: bad credentials ***']);
    assert.ok(!JSON.stringify(snap).includes(password));

    process.env[PW_ENV] = `${password}-wrong`;
    const refused = await beacon.check(node, group, TIMEOUT);
    assert.equal(refused.reachable, false);
    assert.match(refused.error ?? '', /^authentication failed \(HTTP 401\)/);
    assert.ok(!JSON.stringify(refused).includes(password));
  });
});
