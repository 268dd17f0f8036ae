import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startLitecoind, type LitecoindHandle } from '../../adapters/local/litecoind.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { createCheckers } from '../../adapters/rpc/checker-registry.ts';
import { fleetSchema, type Fleet, type FleetNode, type NodeGroup } from '../../src/fleet/fleet.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { sweep } from '../../src/health/sweep.ts';

const USER = 'chainops';
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
// Unique per run so parallel test files never share the variable.
const PW_ENV = `LTC_IT_PW_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
const TIMEOUT = { timeoutMs: 5_000 };

function buildFleet(a: LitecoindHandle, b: LitecoindHandle): Fleet {
  return fleetSchema.parse({
    version: 1,
    name: 'ltc-it',
    environments: { dev: { thresholds: { max_lag_blocks: 0, max_head_age: '10m', min_peers: 1 } } },
    groups: {
      ltc: { chain: 'litecoin', network: 'regtest', client: 'litecoind', desired_version: '0.21.2.1', rpc: { kind: 'bitcoin' } },
    },
    nodes: [a, b].map((n, i) => ({
      name: `ltc-${i + 1}`,
      group: 'ltc',
      env: 'dev',
      rpc_url: n.rpcUrl,
      rpc_auth: { username: USER, password_env: PW_ENV },
    })),
  });
}

describe('BitcoinChecker against two peered litecoind nodes', () => {
  let a: LitecoindHandle;
  let b: LitecoindHandle;
  let fleet: Fleet;
  let group: NodeGroup;
  let cookieDir: string | undefined;
  const checkers = createCheckers();
  const btc = checkers('bitcoin');
  const nodeAt = (i: number) => fleet.nodes[i] as FleetNode;

  before(async () => {
    process.env[PW_ENV] = PASSWORD;
    a = await startLitecoind({ rpcUser: USER, rpcPassword: PASSWORD });
    b = await startLitecoind({ rpcUser: USER, rpcPassword: PASSWORD, peers: [a.p2pPort] });
    fleet = buildFleet(a, b);
    group = fleet.groups.ltc as NodeGroup;
    await waitFor(async () => ((await a.call('getconnectioncount')) as number) >= 1, { what: 'the two nodes to peer', timeoutMs: 30_000 });
  });

  after(async () => {
    delete process.env[PW_ENV];
    // Close pooled keep-alive sockets first: litecoind's shutdown waits for them to drop.
    await checkers.close();
    await Promise.all([a?.stop(), b?.stop()]);
    if (cookieDir) await rm(cookieDir, { recursive: true, force: true });
  });

  it('sees peers, equal heads after mining, no sync and the client version', async () => {
    const hashes = await a.generate(5);
    const tip = hashes.at(-1);
    const both = async (): Promise<Snapshot[] | undefined> => {
      const snaps = await Promise.all([btc.check(nodeAt(0), group, TIMEOUT), btc.check(nodeAt(1), group, TIMEOUT)]);
      return snaps.every((s) => s.head === 5) ? snaps : undefined;
    };
    const snaps = await waitFor(both, { what: 'both nodes at height 5', timeoutMs: 30_000, intervalMs: 200 });
    const header = (await b.call('getblockheader', [tip])) as { time: number };
    for (const s of snaps) {
      assert.equal(s.reachable, true, s.error);
      assert.equal(s.chainId, 'regtest');
      assert.equal(s.head, 5);
      assert.equal(s.syncing, false);
      assert.equal(s.syncProgress, 1);
      assert.ok((s.peers ?? 0) >= 1, `peers ${s.peers}`);
      assert.equal(s.client, 'litecoincore');
      assert.equal(s.version, '0.21.2.1');
      assert.equal(s.clientVersion, '/LitecoinCore:0.21.2.1/');
      assert.equal(s.headTime, header.time * 1000);
    }
    const health = assessFleet(fleet, snaps, Date.now());
    assert.deepEqual(health.nodes.map((n) => [n.status, n.lag, n.reasons]), [['healthy', 0, []], ['healthy', 0, []]]);
  });

  it('reports a node left behind as lagging once the other mines alone', async () => {
    // Cut the link so only `a` advances; b keeps the old head.
    await b.call('setnetworkactive', [false]);
    try {
      const alone = async () => ((await a.call('getconnectioncount')) as number) === 0 && ((await b.call('getconnectioncount')) as number) === 0;
      await waitFor(alone, { what: 'the nodes to disconnect', timeoutMs: 15_000 });
      await a.generate(3);
      const snaps = await sweep(fleet, checkers, { concurrency: 2, timeoutMs: 5_000, now: Date.now });
      const [na, nb] = assessFleet(fleet, snaps, Date.now()).nodes;
      assert.equal(snaps[0]?.head, (snaps[1]?.head ?? 0) + 3);
      // Two heads: the upper median is a's head, so b lags 3 (and has no peers now).
      assert.equal(na?.status, 'degraded', 'a lost its only peer');
      assert.equal(nb?.lag, 3);
      assert.ok(nb?.reasons.includes('lag 3 > 0 blocks'), nb?.reasons.join('; '));
    } finally {
      await b.call('setnetworkactive', [true]);
      await b.call('addnode', [`127.0.0.1:${a.p2pPort}`, 'onetry']);
    }
  });

  it('says authentication failed on a wrong password, without the password', async () => {
    const wrongEnv = `${PW_ENV}_WRONG`;
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    process.env[wrongEnv] = wrong;
    try {
      const node = { ...nodeAt(0), rpc_auth: { username: USER, password_env: wrongEnv } };
      const snap = await btc.check(node, group, TIMEOUT);
      assert.equal(snap.reachable, false);
      assert.match(snap.error ?? '', /^authentication failed \(HTTP 401\)/);
      assert.ok(!snap.error?.includes(wrong) && !snap.error?.includes(PASSWORD), snap.error);
      assert.ok(!JSON.stringify(snap).includes(wrong));
    } finally {
      delete process.env[wrongEnv];
    }
  });

  it('names the password variable when it is not set', async () => {
    const missing = `${PW_ENV}_UNSET`;
    const node = { ...nodeAt(0), rpc_auth: { username: USER, password_env: missing } };
    const snap = await btc.check(node, group, TIMEOUT);
    assert.equal(snap.reachable, false);
    assert.match(snap.error ?? '', new RegExp(`RPC password variable ${missing} is not set`));
  });

  it('reads credentials from a cookie file, and says so when it is missing', async () => {
    cookieDir = await mkdtemp(join(tmpdir(), 'chainops-cookie-'));
    const cookie = join(cookieDir, '.cookie');
    await writeFile(cookie, `${USER}:${PASSWORD}`, { mode: 0o600 });
    const ok = await btc.check({ ...nodeAt(1), rpc_auth: { cookie_file: cookie } }, group, TIMEOUT);
    assert.equal(ok.reachable, true, ok.error);
    const gone = await btc.check({ ...nodeAt(1), rpc_auth: { cookie_file: join(cookieDir, 'nope') } }, group, TIMEOUT);
    assert.equal(gone.reachable, false);
    assert.match(gone.error ?? '', /cannot read RPC cookie file .*nope \(ENOENT\)/);
  });
});
