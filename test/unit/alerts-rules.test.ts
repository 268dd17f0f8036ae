import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import { fleetSchema } from '../../src/fleet/fleet.schema.ts';
import { compileRules, exprIn } from '../../src/alerts/rules.ts';
import { formatExpr, parseRuleExpr } from '../../src/alerts/rule-expr.ts';
import { referenceHead } from '../../src/health/fleet-health.ts';

const ok = (text: string) => {
  const r = parseRuleExpr(text);
  assert.ok(r.ok, `${text}: ${r.ok ? '' : r.why}`);
  return r.expr;
};
const bad = (text: string) => {
  const r = parseRuleExpr(text);
  assert.ok(!r.ok, `${text} was accepted`);
  return r.why;
};

describe('alert conditions', () => {
  it('parses the forms of the issue, with units in base units', () => {
    assert.deepEqual(ok('lag > 5 for 2m'), { condition: { kind: 'compare', metric: 'lag', op: '>', value: 5 }, forMs: 120_000 });
    assert.deepEqual(ok('head_age > 180s').condition, { kind: 'compare', metric: 'head_age', op: '>', value: 180_000 });
    assert.deepEqual(ok('head_age > 180').condition, { kind: 'compare', metric: 'head_age', op: '>', value: 180_000 }, 'bare number = seconds');
    assert.deepEqual(ok('peers < 3').condition, { kind: 'compare', metric: 'peers', op: '<', value: 3 });
    assert.deepEqual(ok('syncing'), { condition: { kind: 'syncing' }, forMs: 0 });
    assert.deepEqual(ok('version != desired'), { condition: { kind: 'version' }, forMs: 0 });
    assert.deepEqual(ok('unreachable for 1m'), { condition: { kind: 'unreachable' }, forMs: 60_000 });
    assert.deepEqual(ok('disk_used > 85%').condition, { kind: 'compare', metric: 'disk_used', op: '>', value: 85 });
    assert.deepEqual(ok('lag>5 blocks').condition, { kind: 'compare', metric: 'lag', op: '>', value: 5 });
    assert.deepEqual(ok('  latency >= 1.5s ').condition, { kind: 'compare', metric: 'latency', op: '>=', value: 1_500 });
    assert.deepEqual(ok('lag > threshold for 30s'), { condition: { kind: 'compare', metric: 'lag', op: '>', value: 'threshold' }, forMs: 30_000 });
  });

  it('refuses what it does not know, saying what fits', () => {
    assert.match(bad(''), /empty/);
    assert.match(bad('lagg > 5'), /not a metric/);
    assert.match(bad('lag > 5 for ever'), /`for` needs a duration/);
    assert.match(bad('disk_used > 85s'), /share/);
    assert.match(bad('head_age > 5%'), /time/);
    assert.match(bad('load1 > threshold'), /no environment threshold/);
    assert.match(bad('lag > 2.5'), /whole/);
    assert.match(bad('rm -rf /'), /not a condition/);
    assert.match(bad('disk_used > 120%'), /0 to 100/);
  });

  it('formats a condition with the threshold of an environment filled in', () => {
    assert.equal(formatExpr(ok('lag > threshold for 2m'), 7), 'lag > 7 for 2m');
    assert.equal(formatExpr(ok('head_age > 180s')), 'head_age > 3m');
    assert.equal(formatExpr(ok('disk_used > 85%')), 'disk_used > 85%');
    assert.equal(formatExpr(ok('unreachable for 90s')), 'unreachable for 90s');
  });
});

const base = {
  version: 1, name: 'rules',
  environments: { prod: { thresholds: { max_lag_blocks: 4 } }, dev: { thresholds: { min_peers: 0 } } },
  groups: { eth: { chain: 'ethereum', network: 'devnet', client: 'geth', desired_version: '1.0.0', rpc: { kind: 'eth' } } },
  nodes: [{ name: 'eth-1', group: 'eth', env: 'prod', rpc_url: 'http://127.0.0.1:1' }],
};

describe('alerts: in the fleet file', () => {
  it('gives the default rules on the environment thresholds when none are set', () => {
    const fleet = fleetSchema.parse(base);
    const rules = compileRules(fleet);
    assert.deepEqual(rules.map((r) => r.name), ['unreachable', 'head-age', 'lag', 'peers', 'syncing', 'version', 'disk-used', 'chain-split', 'fork-unready', 'fork-view', 'fork-stalled']);
    assert.ok(rules.every((r) => r.consecutive === 2));
    const lag = rules.find((r) => r.name === 'lag')!;
    assert.equal(exprIn(lag, fleet.environments['prod']!.thresholds), 'lag > 4');
    assert.equal(exprIn(rules.find((r) => r.name === 'peers')!, fleet.environments['dev']!.thresholds), 'peers < 0', 'dev chains have 0 peers');
  });

  it('takes rules, actions and remediation, and checks the names they use', () => {
    const fleet = fleetSchema.parse({
      ...base,
      alerts: {
        consecutive: 3, reminder: '15m',
        rules: [
          { name: 'lag', when: 'lag > 5 for 2m', severity: 'critical', envs: ['prod'] },
          { name: 'stalled', when: 'head_age > 60s', consecutive: 1 },
        ],
        actions: [{ name: 'restart', ssh: ['sudo', 'systemctl', 'restart', 'geth'], groups: ['eth'] }],
        remediation: [{ rule: 'stalled', action: 'restart', mode: 'auto', cooldown: '10m' }],
      },
    });
    assert.equal(fleet.alerts.reminder, 900_000);
    assert.equal(fleet.alerts.remediation?.[0]?.cooldown, 600_000);
    const rules = compileRules(fleet);
    assert.deepEqual(rules.map((r) => [r.name, r.consecutive, r.forMs]), [['lag', 3, 120_000], ['stalled', 1, 0]]);
    assert.equal(compileRules(fleet), rules, 'compiled once per fleet object');

    const broken = fleetSchema.safeParse({
      ...base,
      alerts: {
        rules: [{ name: 'lag', when: 'lag >> 5' }, { name: 'lag', when: 'syncing', envs: ['qa'] }],
        actions: [{ name: 'restart', ssh: ['systemctl restart geth; rm -rf /'] }, { name: 'both', ssh: ['true'], playbook: 'x.yml' }],
        remediation: [{ rule: 'nope', action: 'reboot' }],
      },
    });
    assert.ok(!broken.success);
    const messages = broken.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    for (const want of [
      /alerts\.rules\.0\.when: .*not a condition/,
      /alerts\.rules\.1\.name: rule name "lag" is used twice/,
      /alerts\.rules\.1\.envs\.0: environment "qa" is not defined/,
      /alerts\.actions\.0\.ssh\.0: one argument per list item/,
      /alerts\.actions\.1: give exactly one of/,
      /alerts\.remediation\.0\.rule: no alert rule named "nope"/,
      /alerts\.remediation\.0\.action: no action named "reboot"/,
    ]) assert.ok(messages.some((m) => want.test(m)), `missing ${want} in\n${messages.join('\n')}`);
  });

  it('a fleet file with alerts keeps validating through parseFleet with line numbers', () => {
    const r = parseFleet(`version: 1
name: x
environments: { prod: {} }
groups: { eth: { chain: ethereum, network: devnet, client: geth, desired_version: 1.0.0, rpc: { kind: eth } } }
alerts:
  rules:
    - { name: lag, when: "lag > five" }
`);
    assert.ok(!r.ok);
    assert.equal(r.problems[0]?.path, 'alerts.rules[0].when');
    assert.equal(r.problems[0]?.line, 7);
  });
});

describe('referenceHead: the median of the top healthy heads', () => {
  it('one node far ahead (lying or forked) never sets it with three or more heads', () => {
    assert.equal(referenceHead([100, 100, 999_999]), 100);
    assert.equal(referenceHead([100, 101, 102, 999_999]), 102);
  });
  it('several stuck nodes do not pull it down (the plain median would)', () => {
    assert.equal(referenceHead([50, 50, 50, 100, 101]), 100);
    assert.equal(referenceHead([10, 10, 10, 10, 10, 10, 200, 201, 202, 203]), 201);
  });
  it('two heads: the higher; one: itself; none: undefined', () => {
    assert.equal(referenceHead([90, 100]), 100);
    assert.equal(referenceHead([7]), 7);
    assert.equal(referenceHead([]), undefined);
  });
});
