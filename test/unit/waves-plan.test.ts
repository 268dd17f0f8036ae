import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/errors.ts';
import { fleetSchema, type Fleet, type FleetInput } from '../../src/fleet/fleet.schema.ts';
import { planUpgrade, resolveTarget } from '../../src/rollout/plan.ts';
import { parseWaves, splitWaves } from '../../src/rollout/waves.ts';

const names = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const sizes = (waves: string[][]) => waves.map((w) => w.length);

describe('splitWaves', () => {
  const canary = [1, '25%', '100%'] as const;

  it('1, 25%, 100% on 1, 4, 8 and 10 targets', () => {
    assert.deepEqual(splitWaves(names(1), canary), [['n1']]);
    assert.deepEqual(splitWaves(names(4), canary), [['n1'], ['n2'], ['n3', 'n4']]);
    assert.deepEqual(sizes(splitWaves(names(8), canary)), [1, 2, 5]);
    assert.deepEqual(splitWaves(names(8), canary)[1], ['n2', 'n3']);
    assert.deepEqual(sizes(splitWaves(names(10), canary)), [1, 3, 6]);
  });

  it('no targets → no waves', () => {
    assert.deepEqual(splitWaves([], canary), []);
  });

  it('the last wave takes whatever the sizes leave over', () => {
    assert.deepEqual(sizes(splitWaves(names(5), [1])), [1, 4]);
    assert.deepEqual(sizes(splitWaves(names(5), [2, 2])), [2, 2, 1]);
    assert.deepEqual(sizes(splitWaves(names(2), [5])), [2]);
    assert.deepEqual(sizes(splitWaves(names(3), ['10%', '10%'])), [1, 1, 1], 'a percentage rounds up to at least one');
    assert.deepEqual(sizes(splitWaves(names(4), ['100%', 1])), [4]);
  });

  it('never loses, repeats or reorders a target, and never yields an empty wave (seeded random sizes)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let round = 0; round < 2_000; round++) {
      const targets = names(rand(60));
      const spec = Array.from({ length: 1 + rand(5) }, () => (rand(2) ? 1 + rand(12) : `${1 + rand(100)}%`));
      const waves = splitWaves(targets, spec);
      assert.deepEqual(waves.flat(), targets, `${targets.length} targets, sizes ${spec.join(',')}`);
      assert.ok(waves.every((w) => w.length > 0), `empty wave for ${spec.join(',')}`);
      assert.ok(waves.length <= spec.length + 1);
    }
  });

  it('parseWaves reads the grammar form', () => {
    assert.deepEqual(parseWaves('1,25%,100%'), [1, '25%', '100%']);
    assert.deepEqual(parseWaves('3'), [3]);
  });
});

function fleet(edit: (f: FleetInput) => void = () => {}): Fleet {
  const input: FleetInput = {
    version: 1,
    name: 'plan-test',
    environments: { staging: {}, prod: {} },
    groups: {
      geth: { chain: 'ethereum', network: 'mainnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' }, playbook: 'geth.yml' },
      btc: { chain: 'bitcoin', network: 'mainnet', client: 'bitcoind', desired_version: '27.0', rpc: { kind: 'bitcoin' } },
      empty: { chain: 'ethereum', network: 'mainnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' } },
    },
    nodes: [
      { name: 'geth-p3', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.3:8545' },
      { name: 'geth-p1', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.1:8545' },
      { name: 'geth-p2', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.2:8545' },
      { name: 'geth-p4', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.4:8545' },
      { name: 'geth-s1', group: 'geth', env: 'staging', rpc_url: 'http://10.1.0.1:8545' },
      { name: 'btc-1', group: 'btc', env: 'prod', rpc_url: 'http://10.2.0.1:8332' },
    ],
  };
  edit(input);
  return fleetSchema.parse(input);
}

describe('planUpgrade', () => {
  const f = fleet();
  const input = { target: 'geth', version: '1.14.4', env: 'prod' };

  it('targets the group in the environment, sorted, in the fleet waves', () => {
    const p = planUpgrade(f, input, {});
    assert.deepEqual([p.env, p.group, p.version], ['prod', 'geth', '1.14.4']);
    assert.deepEqual(p.targets, ['geth-p1', 'geth-p2', 'geth-p3', 'geth-p4']);
    assert.deepEqual(p.skipped, []);
    assert.deepEqual(p.waves, [['geth-p1'], ['geth-p2'], ['geth-p3', 'geth-p4']]);
    assert.equal(p.playbook, 'geth.yml');
    assert.match(p.hash, /^[0-9a-f]{64}$/);
  });

  it('skips nodes already at the version, with or without a leading v', () => {
    const p = planUpgrade(f, input, { 'geth-p2': '1.14.4', 'geth-p4': 'v1.14.4', 'geth-p1': '1.14.3' });
    assert.deepEqual(p.targets, ['geth-p1', 'geth-p3']);
    assert.deepEqual(p.skipped, ['geth-p2', 'geth-p4']);
    assert.deepEqual(p.waves.flat(), ['geth-p1', 'geth-p3']);
    const all = planUpgrade(f, { ...input, version: 'v1.14.4' }, { 'geth-p1': '1.14.4', 'geth-p2': '1.14.4', 'geth-p3': '1.14.4', 'geth-p4': '1.14.4' });
    assert.deepEqual(all.targets, []);
    assert.deepEqual(all.waves, []);
  });

  it('one node as the target', () => {
    const p = planUpgrade(f, { target: 'geth-s1', version: '1.14.4' }, {});
    assert.deepEqual([p.env, p.group, p.targets], ['staging', 'geth', ['geth-s1']]);
  });

  it('the hash is stable for the same plan', () => {
    const a = planUpgrade(f, input, { 'geth-p2': '1.14.3' });
    const b = planUpgrade(fleet(), { ...input }, { 'geth-p2': '1.14.0', 'btc-1': '26.0', 'geth-s1': '1.14.4' });
    assert.equal(a.hash, b.hash, 'other versions that do not change targets do not change the hash');
    const reordered = fleet((i) => i.nodes!.reverse());
    assert.equal(planUpgrade(reordered, input, {}).hash, a.hash, 'node order in the file does not matter');
    assert.equal(planUpgrade(f, { ...input, waves: [1, '25%', '100%'] }, {}).hash, a.hash, 'explicit default waves');
    // The hash binds to the waves that will run, not to how they were written.
    assert.equal(planUpgrade(f, { ...input, waves: [2, '100%'] }, {}).hash, planUpgrade(f, { ...input, waves: ['50%', 2] }, {}).hash);
  });

  it('the hash changes when targets, version, waves or playbook change', () => {
    const base = planUpgrade(f, input, {}).hash;
    const variants = {
      targets: planUpgrade(f, input, { 'geth-p3': '1.14.4' }).hash,
      'added node': planUpgrade(fleet((i) => i.nodes!.push({ name: 'geth-p5', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.5:8545' })), input, {}).hash,
      version: planUpgrade(f, { ...input, version: '1.14.5' }, {}).hash,
      'v-prefixed version': planUpgrade(f, { ...input, version: 'v1.14.4' }, {}).hash,
      waves: planUpgrade(f, { ...input, waves: [2, '100%'] }, {}).hash,
      'fleet waves': planUpgrade(fleet((i) => (i.rollout = { waves: ['25%', '100%'] })), input, {}).hash,
      playbook: planUpgrade(fleet((i) => (i.groups['geth']!.playbook = 'geth-v2.yml')), input, {}).hash,
      env: planUpgrade(f, { target: 'geth', version: '1.14.4', env: 'staging' }, {}).hash,
    };
    for (const [what, hash] of Object.entries(variants)) assert.notEqual(hash, base, `${what} should change the hash`);
    assert.equal(new Set(Object.values(variants)).size, Object.keys(variants).length, 'all variants differ from each other');
  });
});

describe('resolveTarget', () => {
  const f = fleet();
  const userError = (code: string, re: RegExp) => (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, re);
    return true;
  };

  it('unknown group or node', () => {
    assert.throws(() => resolveTarget(f, 'nope', undefined), userError('not_found', /`nope` is neither a group nor a node.*\/chainops nodes/));
    assert.throws(() => resolveTarget(f, 'nope', 'prod'), userError('not_found', /neither a group nor a node/));
  });

  it('a group with nodes in several environments needs --env', () => {
    assert.throws(() => resolveTarget(f, 'geth', undefined), userError('parse_error', /group `geth` has nodes in prod, staging — pass `--env <env>`/));
    assert.deepEqual(resolveTarget(f, 'geth', 'staging').nodes.map((n) => n.name), ['geth-s1']);
    assert.equal(resolveTarget(f, 'btc', undefined).env, 'prod', 'one environment needs no --env');
  });

  it('a node in another environment than --env, an unknown env, a group with no nodes there', () => {
    assert.throws(() => resolveTarget(f, 'geth-s1', 'prod'), userError('not_found', /node `geth-s1` is in staging, not prod/));
    assert.equal(resolveTarget(f, 'geth-s1', 'staging').env, 'staging');
    assert.throws(() => resolveTarget(f, 'geth', 'qa'), userError('not_found', /environment `qa` is not in the fleet file/));
    assert.throws(() => resolveTarget(f, 'btc', 'staging'), userError('not_found', /group `btc` has no nodes in staging/));
    assert.throws(() => resolveTarget(f, 'empty', undefined), UserError);
  });
});
