import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../src/errors.ts';
import { fleetSchema, type Fleet, type FleetNode, type NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { sweep } from '../../src/health/sweep.ts';
import type { ChainChecker } from '../../src/ports/rpc.port.ts';

const NOW = 1_700_000_000_000;
const now = () => NOW;

function fleet(count: number): Fleet {
  return fleetSchema.parse({
    version: 1,
    name: 'sweep-test',
    environments: { dev: {} },
    groups: {
      eth: { chain: 'ethereum', network: 'devnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' } },
      sol: { chain: 'solana', network: 'devnet', client: 'agave', desired_version: '1.18.0', rpc: { kind: 'solana' } },
    },
    nodes: Array.from({ length: count }, (_, i) => ({
      name: `node-${i}`,
      group: i % 2 ? 'sol' : 'eth',
      env: 'dev',
      rpc_url: `http://10.0.0.${i + 1}:8545`,
    })),
  });
}

function okSnapshot(node: FleetNode, group: NodeGroup): Snapshot {
  return {
    node: node.name,
    group: node.group,
    env: node.env,
    chain: group.chain,
    network: group.network,
    at: NOW,
    reachable: true,
    head: 1,
    latencyMs: 1,
    warnings: [],
  };
}

/** A checker that answers after `delayMs` and records how many checks ran at once. */
function countingChecker(delayMs: number) {
  const stats = { inFlight: 0, maxInFlight: 0, calls: 0, timeouts: new Set<number>() };
  const checker: ChainChecker = {
    async check(node, group, opts) {
      stats.calls++;
      stats.timeouts.add(opts.timeoutMs);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      await sleep(delayMs);
      stats.inFlight--;
      return okSnapshot(node, group);
    },
  };
  return { checker, stats };
}

describe('sweep', () => {
  it('never runs more checks at once than the concurrency bound, and returns fleet order', async () => {
    const { checker, stats } = countingChecker(5);
    const f = fleet(40);
    const snaps = await sweep(f, () => checker, { concurrency: 7, timeoutMs: 1_000, now });
    assert.equal(stats.calls, 40);
    assert.equal(stats.maxInFlight, 7);
    assert.deepEqual([...stats.timeouts], [1_000], 'the checker receives the per-node budget');
    assert.deepEqual(snaps.map((s) => s.node), f.nodes.map((n) => n.name));
  });

  it('turns a throwing checker (sync or async) into reachable:false without stopping the others', async () => {
    const f = fleet(6);
    const good = countingChecker(1).checker;
    const rejecting: ChainChecker = { check: async () => Promise.reject(new Error('boom')) };
    const throwing: ChainChecker = {
      check: () => {
        throw new Error('sync boom');
      },
    };
    let n = 0;
    const snaps = await sweep(f, (kind) => (kind === 'solana' ? (n++ % 2 ? throwing : rejecting) : good), {
      concurrency: 3,
      timeoutMs: 500,
      now,
    });
    assert.equal(snaps.length, 6);
    const bad = snaps.filter((s) => !s.reachable);
    assert.equal(bad.length, 3);
    for (const s of bad) {
      assert.match(s.error ?? '', /^checker threw: (sync )?boom$/);
      assert.equal(s.chain, 'solana');
      assert.equal(s.at, NOW);
    }
    assert.equal(snaps.filter((s) => s.reachable).length, 3);
  });

  it('gives up on a checker that ignores its timeout, and the sweep still finishes', async () => {
    const f = fleet(4);
    const hanging: ChainChecker = { check: () => new Promise<Snapshot>(() => {}) };
    const good = countingChecker(1).checker;
    const started = performance.now();
    const snaps = await sweep(f, (kind) => (kind === 'solana' ? hanging : good), {
      concurrency: 4,
      timeoutMs: 100,
      graceMs: 50,
      now,
    });
    const took = performance.now() - started;
    assert.ok(took < 2_000, `sweep took ${took} ms`);
    const hung = snaps.filter((s) => !s.reachable);
    assert.equal(hung.length, 2);
    assert.equal(hung[0]?.error, 'check did not finish within 150 ms');
  });

  it('checks only the named nodes and refuses names not in the fleet', async () => {
    const { checker, stats } = countingChecker(1);
    const f = fleet(5);
    const snaps = await sweep(f, () => checker, { concurrency: 2, timeoutMs: 100, nodes: ['node-3', 'node-0'], now });
    assert.deepEqual(snaps.map((s) => s.node), ['node-0', 'node-3']);
    assert.equal(stats.calls, 2);
    await assert.rejects(
      sweep(f, () => checker, { concurrency: 2, timeoutMs: 100, nodes: ['node-9'], now }),
      (err: unknown) => err instanceof UserError && err.code === 'not_found' && /node-9/.test(err.message),
    );
  });

  it('returns nothing for an empty fleet', async () => {
    const { checker } = countingChecker(1);
    assert.deepEqual(await sweep(fleet(0), () => checker, { concurrency: 8, timeoutMs: 100, now }), []);
  });
});
