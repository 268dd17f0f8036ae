// `fail_on` names alert rules, and rule names use dashes (`head-age`, `fork-unready`): the fleet file
// must accept them, and refuse a name no rule has (it would never match, so the soak could not fail).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFleet } from '../../src/fleet/fleet.load.ts';

const fleet = (failOn: string) => `
version: 1
name: t
environments: { dev: {}, prod: {} }
groups:
  g:
    chain: ethereum
    network: devnet
    client: ganache
    desired_version: 7.9.2
    rpc: { kind: eth }
    promotion: { stages: [{ env: dev, soak: 20s, fail_on: ${failOn} }, { env: prod }] }
nodes: [{ name: n-1, group: g, env: dev, rpc_url: "http://127.0.0.1:8545" }]
`;

test('fail_on accepts the default rules by their names, dashes included', () => {
  const parsed = parseFleet(fleet('[unreachable, head-age, lag, syncing]'));
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
  assert.deepEqual(parsed.fleet.groups['g']!.promotion!.stages[0]!.fail_on, ['unreachable', 'head-age', 'lag', 'syncing']);
});

test('fail_on naming no alert rule is refused with the rule names to pick from', () => {
  const parsed = parseFleet(fleet('[head_age]'));
  assert.ok(!parsed.ok);
  const text = JSON.stringify(parsed.problems);
  assert.match(text, /no alert rule named \\"head_age\\"|no alert rule named "head_age"/, text);
  assert.match(text, /head-age/);
});
