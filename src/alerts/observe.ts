import type { Fleet, Thresholds } from '../fleet/fleet.schema.ts';
import type { FleetHealth, NodeHealth } from '../health/fleet-health.ts';
import { sameVersion } from '../health/version.ts';
import type { AlertSubject } from './alert.types.ts';
import { compare, describeCompare, shortDuration, type Metric } from './rule-expr.ts';
import { compileRules, exprIn, isHeadAgeRule, limitOf, ruleApplies, type CompiledRule } from './rules.ts';

/** One rule checked against one subject in one sweep. */
export interface Observation {
  key: string;
  rule: CompiledRule;
  subject: AlertSubject;
  /** The rule with this environment's thresholds filled in. */
  expr: string;
  /** true: the condition holds; false: it does not; undefined: no data this time (state is kept). */
  bad: boolean | undefined;
  /** A chain alert covers this node result: a pending node alert is forgotten, a firing one kept. */
  superseded?: true;
  value?: number;
  summary: string;
}

export interface ObserveOptions {
  now: number;
  /** A snapshot older than this counts as no data (the node was not checked lately). */
  staleMs: number;
  /** Host facts older than this count as no data. */
  hostStaleMs: number;
  /**
   * Nodes being acted on right now (a rollout's node lease), with what acts on them: their results
   * are no data, so a node restarted by an upgrade never pages; an alert already open stays as it is.
   */
  maintenance?: ReadonlyMap<string, string>;
}

const FALLBACK: Thresholds = { max_lag_blocks: 5, max_head_age: 180_000, min_peers: 3, max_disk_used_pct: 85 };

export const nodeKey = (rule: string, node: string) => `${rule}@${node}`;
export const chainKey = (rule: string, env: string, chain: string, network: string) => `${rule}@chain:${env}/${chain}/${network}`;

/**
 * Check every rule against every node's latest verdict. Head-age rules are also judged per chain:
 * when every node of a chain (two or more reporting) has an old head, the chain is stalled — one
 * chain alert, and the per-node results of that rule count as no data so no node alert fires.
 */
export function observe(fleet: Fleet, health: FleetHealth, opts: ObserveOptions): Observation[] {
  // Chain-truth rules are judged across a chain's nodes (`observeChainTruth`), not per node here.
  const rules = compileRules(fleet).filter((r) => r.condition.kind !== 'truth');
  const out: Observation[] = [];
  const chains = new Map<string, { rule: CompiledRule; subject: AlertSubject; expr: string; limit: number | undefined; nodes: Observation[] }>();
  for (const h of health.nodes) {
    const group = fleet.groups[h.group];
    if (!group) continue;
    const t = fleet.environments[h.env]?.thresholds ?? FALLBACK;
    const subject: AlertSubject = { scope: 'node', node: h.node, group: h.group, env: h.env, chain: group.chain, network: group.network };
    for (const rule of rules) {
      if (!ruleApplies(rule, h.env, h.group)) continue;
      const busy = opts.maintenance?.get(h.node);
      const verdict = busy !== undefined ? noData(`in maintenance: ${busy}`) : judge(rule, h, t, group.desired_version, opts);
      const o: Observation = { key: nodeKey(rule.name, h.node), rule, subject, expr: exprIn(rule, t), ...verdict };
      out.push(o);
      if (isHeadAgeRule(rule)) {
        const ck = chainKey(rule.name, h.env, group.chain, group.network);
        let c = chains.get(ck);
        if (!c) {
          c = { rule, expr: o.expr, limit: limitOf(rule, t), nodes: [], subject: { scope: 'chain', env: h.env, chain: group.chain, network: group.network } };
          chains.set(ck, c);
        }
        c.nodes.push(o);
      }
    }
  }
  for (const [key, c] of chains) {
    if (c.nodes.length < 2) continue; // one node cannot tell a stalled node from a stalled chain
    const reporting = c.nodes.filter((o) => o.bad !== undefined);
    if (reporting.length === 0) continue;
    const stalled = reporting.length >= 2 && reporting.every((o) => o.bad === true);
    const moving = reporting.some((o) => o.bad === false);
    // A node's old head is its own fault only when a peer is clearly producing blocks: its head is
    // younger than half the limit. Heads of a chain that is stalling age a block or two apart, so a
    // peer just under the limit proves nothing and would page per node seconds before the chain alert.
    const fresh = c.limit === undefined ? moving : reporting.some((o) => o.bad === false && o.value !== undefined && o.value <= c.limit! / 2);
    const newest = Math.min(...reporting.map((o) => o.value ?? Infinity));
    if (stalled) {
      for (const o of reporting) {
        o.bad = undefined;
        o.superseded = true;
      }
    } else if (!fresh) {
      // Old heads with no peer clearly producing blocks cannot tell a stalled node from a chain that
      // is stalling: wait for a peer to move or for the whole chain to stall.
      for (const o of reporting) if (o.bad) o.bad = undefined;
    }
    const name = `${c.subject.chain}/${c.subject.network} in ${c.subject.env}`;
    out.push({
      // One old head with the others silent proves neither: the chain's state is left as it was.
      key, rule: c.rule, subject: c.subject, expr: c.expr, bad: stalled ? true : moving ? false : undefined,
      ...(Number.isFinite(newest) ? { value: newest } : {}),
      summary: stalled
        ? `chain stalled: all ${reporting.length} reporting nodes of ${name} have old heads (newest ${shortDuration(newest)} old)`
        : moving ? `${name} is producing blocks again` : 'no data',
    });
  }
  return out;
}

type Judgement = Pick<Observation, 'bad' | 'value' | 'summary'>;
const noData = (summary = 'no data'): Judgement => ({ bad: undefined, summary });

function judge(rule: CompiledRule, h: NodeHealth, t: Thresholds, desired: string, opts: ObserveOptions): Judgement {
  const s = h.snapshot;
  if (!s || opts.now - s.at > opts.staleMs) return noData('not checked lately');
  const c = rule.condition;
  if (c.kind === 'unreachable') {
    return s.reachable ? { bad: false, summary: 'answers RPC' } : { bad: true, summary: `unreachable: ${s.error ?? 'no answer'}` };
  }
  if (!s.reachable) return noData('unreachable');
  if (c.kind === 'syncing') {
    if (s.syncing === undefined) return noData();
    const pct = s.syncProgress !== undefined ? ` (${(s.syncProgress * 100).toFixed(1)}%)` : '';
    return { bad: s.syncing, summary: s.syncing ? `syncing${pct}` : 'in sync' };
  }
  if (c.kind === 'truth') return noData();
  if (c.kind === 'version') {
    if (!s.version) return noData('version not reported');
    const ok = sameVersion(s.version, desired);
    return { bad: !ok, summary: ok ? `runs ${s.version}` : `version ${s.version} ≠ desired ${desired}` };
  }
  const value = metricValue(c.metric, h, opts);
  const limit = limitOf(rule, t);
  if (value === undefined || limit === undefined) return noData();
  return { bad: compare(value, c.op, limit), value, summary: describeCompare(c.metric, value, c.op, limit) };
}

function metricValue(metric: Metric, h: NodeHealth, opts: ObserveOptions): number | undefined {
  const s = h.snapshot!;
  // A syncing node works through old blocks, so its head is old by design (its `syncing` alert says
  // so). Lag still counts: a node that says it is syncing but stays behind serves stale data.
  const settled = s.syncing !== true;
  const host = s.host?.facts && opts.now - s.host.at <= opts.hostStaleMs ? s.host.facts : undefined;
  switch (metric) {
    case 'lag': return h.lag;
    case 'head_age': return settled ? h.headAgeMs : undefined;
    case 'peers': return s.peers;
    case 'latency': return s.latencyMs;
    case 'disk_used': return host?.diskUsedPct;
    case 'mem_used': return host && host.memTotalMiB > 0 ? Math.round(1000 * (1 - host.memAvailableMiB / host.memTotalMiB)) / 10 : undefined;
    case 'load1': return host?.load1;
  }
}
