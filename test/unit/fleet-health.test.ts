import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { assessFleet, medianHead } from '../../src/health/fleet-health.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';

const NOW = 1_700_000_000_000;

function fleet(): Fleet {
  return fleetSchema.parse({
    version: 1,
    name: 'test',
    environments: {
      prod: { thresholds: { max_lag_blocks: 5, max_head_age: '60s', min_peers: 3 } },
      dev: { thresholds: { max_lag_blocks: 2, min_peers: 0 } },
    },
    groups: {
      geth: { chain: 'ethereum', network: 'mainnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' } },
      neth: { chain: 'ethereum', network: 'mainnet', client: 'nethermind', desired_version: 'v1.25.4', rpc: { kind: 'eth' } },
    },
    nodes: [
      { name: 'geth-1', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.1:8545' },
      { name: 'geth-2', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.2:8545' },
      { name: 'geth-3', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.3:8545' },
      { name: 'neth-1', group: 'neth', env: 'prod', rpc_url: 'http://10.0.0.4:8545' },
      { name: 'geth-dev', group: 'geth', env: 'dev', rpc_url: 'http://10.0.1.1:8545' },
    ],
  });
}

function snap(node: string, over: Partial<Snapshot> = {}): Snapshot {
  const group = node.startsWith('neth') ? 'neth' : 'geth';
  return {
    node,
    group,
    env: node.endsWith('dev') ? 'dev' : 'prod',
    chain: 'ethereum',
    network: 'mainnet',
    at: NOW,
    reachable: true,
    chainId: '1',
    client: group === 'neth' ? 'nethermind' : 'geth',
    version: group === 'neth' ? '1.25.4' : '1.14.3',
    syncing: false,
    head: 1000,
    headTime: NOW - 5_000,
    peers: 10,
    latencyMs: 3,
    warnings: [],
    ...over,
  };
}

const byName = (h: ReturnType<typeof assessFleet>, name: string) => {
  const n = h.nodes.find((x) => x.node === name);
  assert.ok(n, `no verdict for ${name}`);
  return n;
};

describe('medianHead', () => {
  it('takes the middle of an odd count and the upper middle of an even count', () => {
    assert.equal(medianHead([5, 1, 3]), 3);
    assert.equal(medianHead([1, 2, 3, 4]), 3);
    assert.equal(medianHead([7]), 7);
    assert.equal(medianHead([]), undefined);
  });
});

describe('assessFleet', () => {
  it('marks every node healthy when all agree', () => {
    const h = assessFleet(fleet(), ['geth-1', 'geth-2', 'geth-3', 'neth-1', 'geth-dev'].map((n) => snap(n)), NOW);
    assert.deepEqual(h.nodes.map((n) => n.status), ['healthy', 'healthy', 'healthy', 'healthy', 'healthy']);
    assert.equal(byName(h, 'geth-1').lag, 0);
    assert.equal(byName(h, 'geth-1').headAgeMs, 5_000);
  });

  it('keeps the reference head when one node lies about its head', () => {
    const snaps = [snap('geth-1', { head: 1000 }), snap('geth-2', { head: 1001 }), snap('geth-3', { head: 999_999 }), snap('neth-1', { head: 1000 })];
    const h = assessFleet(fleet(), snaps, NOW);
    // Reference is shared across groups of the same chain+network+env: heads 1000,1000,1001,999999 → 1001.
    assert.equal(byName(h, 'geth-1').referenceHead, 1001);
    assert.equal(byName(h, 'geth-1').status, 'healthy');
    assert.equal(byName(h, 'geth-3').lag, 0, 'a node ahead of the reference has no lag');
  });

  it('reports lag over the threshold as degraded with a short reason', () => {
    const snaps = [snap('geth-1', { head: 1000 }), snap('geth-2', { head: 988 }), snap('geth-3', { head: 1000 }), snap('neth-1', { head: 1001 })];
    const h = assessFleet(fleet(), snaps, NOW);
    const g2 = byName(h, 'geth-2');
    assert.equal(g2.status, 'degraded');
    assert.equal(g2.lag, 12);
    assert.deepEqual(g2.reasons, ['lag 12 > 5 blocks']);
  });

  it('leaves syncing nodes out of the reference and flags them', () => {
    const snaps = [
      snap('geth-1', { head: 1000 }),
      snap('geth-2', { head: 10, syncing: true, syncProgress: 0.25 }),
      snap('geth-3', { head: 1002 }),
      snap('neth-1', { head: 1001 }),
    ];
    const h = assessFleet(fleet(), snaps, NOW);
    assert.equal(byName(h, 'geth-1').referenceHead, 1001);
    const g2 = byName(h, 'geth-2');
    assert.equal(g2.status, 'degraded');
    assert.deepEqual(g2.reasons, ['syncing (25.0%)', 'lag 991 > 5 blocks']);
  });

  it('applies head age, peers and version thresholds of the node environment', () => {
    const snaps = [
      snap('geth-1', { headTime: NOW - 150_000 }),
      snap('geth-2', { peers: 1 }),
      snap('geth-3', { version: '1.14.2' }),
      snap('neth-1', { version: '1.25.4' }),
      snap('geth-dev', { peers: 0 }),
    ];
    const h = assessFleet(fleet(), snaps, NOW);
    assert.deepEqual(byName(h, 'geth-1').reasons, ['head age 2m30s > 60s']);
    assert.deepEqual(byName(h, 'geth-2').reasons, ['peers 1 < 3']);
    assert.deepEqual(byName(h, 'geth-3').reasons, ['version 1.14.2 ≠ desired 1.14.3']);
    assert.equal(byName(h, 'neth-1').status, 'healthy', 'desired v1.25.4 matches 1.25.4');
    assert.equal(byName(h, 'geth-dev').status, 'healthy', 'dev allows 0 peers');
  });

  it('reports down and unknown nodes and counts them per group and environment', () => {
    const snaps = [
      snap('geth-1'),
      snap('geth-2', { reachable: false, error: 'connection refused', head: undefined }),
      snap('neth-1'),
      snap('geth-dev', { version: '1.14.2' }),
    ];
    const h = assessFleet(fleet(), snaps, NOW);
    assert.equal(byName(h, 'geth-2').status, 'down');
    assert.deepEqual(byName(h, 'geth-2').reasons, ['connection refused']);
    assert.equal(byName(h, 'geth-3').status, 'unknown');
    const prodGeth = h.groups.find((g) => g.group === 'geth' && g.env === 'prod');
    assert.deepEqual(prodGeth, {
      group: 'geth',
      env: 'prod',
      chain: 'ethereum',
      network: 'mainnet',
      desiredVersion: '1.14.3',
      total: 3,
      healthy: 1,
      degraded: 0,
      down: 1,
      unknown: 1,
      versions: { '1.14.3': 1 },
      referenceHead: 1000,
      maxLag: 0,
    });
    const devGeth = h.groups.find((g) => g.group === 'geth' && g.env === 'dev');
    assert.equal(devGeth?.degraded, 1);
    assert.deepEqual(devGeth?.versions, { '1.14.2': 1 });
    assert.equal(h.groups.length, 3);
  });

  it('uses the newest snapshot of a node', () => {
    const snaps = [snap('geth-1', { at: NOW, head: 900 }), snap('geth-1', { at: NOW - 10_000, head: 1000 })];
    const h = assessFleet(fleet(), snaps, NOW);
    assert.equal(byName(h, 'geth-1').snapshot?.head, 900);
  });
});
