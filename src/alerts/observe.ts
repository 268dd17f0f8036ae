import type { Fleet, Thresholds } from '../fleet/fleet.schema.ts';
import type { FleetHealth, NodeHealth } from '../health/fleet-health.ts';
import { peerGroups } from '../health/fleet-digest.ts';
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

type ChainTally = {
  rule: CompiledRule;
  subject: AlertSubject;
  expr: string;
  limit: number | undefined;
  nodes: Observation[];
  /** The other shares' nodes of this chain (sharded sweeps): how many, how many report a head age, the newest head time. */
  peers: { nodes: number; reporting: number; newestHeadTime: number };
};

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
  const chains = new Map<string, ChainTally>();
  const chainOf = (rule: CompiledRule, env: string, chain: string, network: string, t: Thresholds): ChainTally => {
    const ck = chainKey(rule.name, env, chain, network);
    let c = chains.get(ck);
    if (!c) {
      c = { rule, expr: exprIn(rule, t), limit: limitOf(rule, t), nodes: [], peers: { nodes: 0, reporting: 0, newestHeadTime: -1 }, subject: { scope: 'chain', env, chain, network } };
      chains.set(ck, c);
    }
    return c;
  };
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
      if (isHeadAgeRule(rule)) chainOf(rule, h.env, group.chain, group.network, t).nodes.push(o);
    }
  }
  // The other shares of a sharded sweep: their nodes count towards each chain's verdict as if judged here.
  for (const g of peerGroups(health.peers)) {
    const group = fleet.groups[g.group];
    if (!group) continue;
    const t = fleet.environments[g.env]?.thresholds ?? FALLBACK;
    for (const rule of rules) {
      if (!isHeadAgeRule(rule) || !ruleApplies(rule, g.env, g.group)) continue;
      const p = chainOf(rule, g.env, group.chain, group.network, t).peers;
      p.nodes += g.nodes;
      if (limitOf(rule, t) === undefined) continue; // no limit: their results are no data, as here
      p.reporting += g.headAge.reporting;
      p.newestHeadTime = Math.max(p.newestHeadTime, g.headAge.newestHeadTime);
    }
  }
  for (const [key, c] of chains) {
    if (c.nodes.length + c.peers.nodes < 2) continue; // one node cannot tell a stalled node from a stalled chain
    const reporting = c.nodes.filter((o) => o.bad !== undefined);
    if (reporting.length + c.peers.reporting === 0) continue;
    // The peers' nodes are summed up by their newest head: the youngest is the least bad (the rule is `>` or `>=`).
    const cond = c.rule.condition;
    const peerAge = c.peers.reporting > 0 ? Math.max(0, opts.now - c.peers.newestHeadTime) : undefined;
    const peerBad = peerAge !== undefined && c.limit !== undefined && cond.kind === 'compare' ? compare(peerAge, cond.op, c.limit) : undefined;
    const stalled = reporting.length + c.peers.reporting >= 2 && reporting.every((o) => o.bad === true) && (c.peers.reporting === 0 || peerBad === true);
    const moving = reporting.some((o) => o.bad === false) || peerBad === false;
    // A node's old head is its own fault only when a peer is clearly producing blocks: its head is
    // younger than half the limit. Heads of a chain that is stalling age a block or two apart, so a
    // peer just under the limit proves nothing and would page per node seconds before the chain alert.
    const fresh = c.limit === undefined
      ? moving
      : reporting.some((o) => o.bad === false && o.value !== undefined && o.value <= c.limit! / 2) || (peerBad === false && peerAge! <= c.limit / 2);
    const newest = Math.min(...reporting.map((o) => o.value ?? Infinity), peerAge ?? Infinity);
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
        ? `chain stalled: all ${reporting.length + c.peers.reporting} reporting nodes of ${name} have old heads (newest ${shortDuration(newest)} old)`
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
