import type { Fleet } from '../fleet/fleet.schema.ts';
import { findSplits, describeMinority, describeTie } from '../health/chain-split.ts';
import { clientMix, describeMix, supermajority } from '../health/client-mix.ts';
import type { FleetHealth, NodeHealth } from '../health/fleet-health.ts';
import { forkStates, forkWatchMs, clock, type ForkState } from '../health/forks.ts';
import { forkViewFindings } from '../health/fork-view.ts';
import { peerChainHashes, peerGroups } from '../health/fleet-digest.ts';
import type { Alert, AlertSubject } from './alert.types.ts';
import { chainKey, nodeKey, type Observation } from './observe.ts';
import { compileRules, ruleApplies, type CompiledRule } from './rules.ts';

export interface TruthOptions {
  now: number;
  staleMs: number;
  maintenance?: ReadonlyMap<string, string>;
  /** Active alerts: a split that healed has no key of its own any more, so its alert is cleared from here. */
  active: readonly Alert[];
}

const STAGES = ['scheduled', 'T-7d', 'T-1d', 'T-1h'] as const;

/**
 * Chain-truth rules (`chain_split`, `fork_unready`, `fork_view`, `fork_stalled`,
 * `client_supermajority`) judged across each chain's nodes. Returns observations for the same
 * lifecycle as every other rule: one chain alert per minority, per chain, or per node and fork stage.
 */
export function observeChainTruth(fleet: Fleet, health: FleetHealth, opts: TruthOptions): Observation[] {
  const rules = compileRules(fleet).filter((r) => r.condition.kind === 'truth');
  if (rules.length === 0) return [];
  const fresh = health.nodes.filter((h) => h.snapshot && opts.now - h.snapshot.at <= opts.staleMs && !opts.maintenance?.has(h.node));
  const out: Observation[] = [];
  for (const rule of rules) {
    if (rule.condition.kind !== 'truth') continue;
    switch (rule.condition.check) {
      case 'chain_split': out.push(...splits(fleet, rule, health, fresh, opts)); break;
      case 'client_supermajority': out.push(...diversity(fleet, rule, health)); break;
      case 'fork_unready': out.push(...unready(fleet, rule, health, opts)); break;
      case 'fork_view': out.push(...views(fleet, rule, health, fresh, opts.now)); break;
      case 'fork_stalled': out.push(...stalled(fleet, rule, health, opts)); break;
    }
  }
  return out;
}

function chainSubject(env: string, chain: string, network: string): AlertSubject {
  return { scope: 'chain', env, chain, network };
}

function nodeSubject(fleet: Fleet, h: NodeHealth): AlertSubject | undefined {
  const g = fleet.groups[h.group];
  return g ? { scope: 'node', node: h.node, group: h.group, env: h.env, chain: g.chain, network: g.network } : undefined;
}

function obs(rule: CompiledRule, key: string, subject: AlertSubject, bad: boolean | undefined, summary: string, value?: number): Observation {
  return { key, rule, subject, expr: rule.when, bad, summary, ...(value !== undefined ? { value } : {}) };
}

function splits(fleet: Fleet, rule: CompiledRule, health: FleetHealth, fresh: NodeHealth[], opts: TruthOptions): Observation[] {
  const skip = new Set(fleet.chain_truth.split_skip);
  const snaps = fresh.flatMap((h) => (h.snapshot && ruleApplies(rule, h.env) ? [h.snapshot] : []));
  const out: Observation[] = [];
  const keys = new Set<string>();
  const peers = peerChainHashes(fleet, health.peers, (env) => ruleApplies(rule, env));
  for (const f of findSplits(snaps, (c, n) => skip.has(`${c}/${n}`), peers)) {
    const base = chainKey(rule.name, f.env, f.chain, f.network);
    const subject = chainSubject(f.env, f.chain, f.network);
    if (f.majority) {
      for (const m of f.minorities) {
        const key = `${base}/${m.nodes.join('+')}`;
        keys.add(key);
        out.push(obs(rule, key, subject, true, describeMinority(f, m), f.height));
      }
    } else {
      const key = `${base}/tie`;
      keys.add(key);
      out.push(obs(rule, key, subject, true, describeTie(f), f.height));
    }
  }
  // A split alert whose chain was compared again and no longer shows that minority has healed.
  const compared = new Map<string, number>();
  for (const s of snaps) if (s.reachable && !s.syncing && s.hashes?.length) compared.set(chainKey(rule.name, s.env, s.chain, s.network), (compared.get(chainKey(rule.name, s.env, s.chain, s.network)) ?? 0) + 1);
  for (const c of peers) for (const sig of c.signatures) compared.set(chainKey(rule.name, c.env, c.chain, c.network), (compared.get(chainKey(rule.name, c.env, c.chain, c.network)) ?? 0) + sig.nodes.length);
  for (const a of opts.active) {
    if (a.rule !== rule.name || keys.has(a.key)) continue;
    const n = compared.get(chainKey(rule.name, a.env, a.chain, a.network)) ?? 0;
    out.push(obs(rule, a.key, chainSubject(a.env, a.chain, a.network), n >= 2 ? false : undefined, n >= 2 ? `all ${n} compared nodes agree on one chain` : 'no data'));
  }
  return out;
}

function diversity(fleet: Fleet, rule: CompiledRule, health: FleetHealth): Observation[] {
  const pct = fleet.chain_truth.supermajority_pct;
  return clientMix(fleet, health).filter((m) => ruleApplies(rule, m.env)).map((m) => {
    const top = supermajority(m, pct);
    const where = `${m.chain}/${m.network} in ${m.env}`;
    const summary = top
      ? `${top.client} runs ${top.count} of ${m.total} nodes (${Math.round(top.share)}%) of ${where}, above ${pct}%: one ${top.client} bug can halt or split the chain (${describeMix(m)})`
      : `no client above ${pct}% of ${where} (${describeMix(m)})`;
    return obs(rule, chainKey(rule.name, m.env, m.chain, m.network), chainSubject(m.env, m.chain, m.network), top !== undefined, summary, top ? Math.round(top.share) : undefined);
  });
}

function unready(fleet: Fleet, rule: CompiledRule, health: FleetHealth, opts: TruthOptions): Observation[] {
  const out: Observation[] = [];
  for (const f of forkStates(fleet, health, opts.now)) {
    const current = f.activated ? undefined : f.remainingMs === undefined ? 'scheduled' : f.stage;
    for (const h of f.nodes) {
      const subject = nodeSubject(fleet, h);
      if (!subject || !ruleApplies(rule, h.env, h.group)) continue;
      const bad = f.unready.find((u) => u.node === h.node);
      const busy = opts.maintenance?.get(h.node);
      for (const stage of STAGES) {
        const key = nodeKey(`${rule.name}:${f.fork.name}:${stage}`, h.node);
        if (stage !== current) {
          out.push(obs(rule, key, subject, false, f.activated ? `${f.fork.name} has activated; fork-stalled watches the node now` : `${f.fork.name} countdown moved on${current ? ` to ${current}` : ''}`));
          continue;
        }
        if (busy !== undefined) out.push(obs(rule, key, subject, undefined, `in maintenance: ${busy}`));
        else if (bad) {
          const when = f.remainingMs !== undefined ? `in ${clock(f.remainingMs)}` : `in ${f.remainingBlocks ?? '?'} blocks`;
          out.push({ ...obs(rule, key, { ...subject, upgrade: `${h.group} ${bad.min} --env ${h.env}` }, true, `${h.node} runs ${bad.client} ${bad.version}, below ${bad.min} needed for ${f.fork.name} ${when} (${stage})`) });
        } else out.push(obs(rule, key, subject, h.snapshot?.version ? false : undefined, h.snapshot?.version ? `runs ${h.snapshot.version}, ready for ${f.fork.name}` : 'version not reported'));
      }
    }
  }
  return out;
}

function views(fleet: Fleet, rule: CompiledRule, health: FleetHealth, fresh: NodeHealth[], now: number): Observation[] {
  const out: Observation[] = [];
  const findings = forkViewFindings(fleet, fresh, now, peerGroups(health.peers));
  for (const h of health.nodes) {
    const subject = nodeSubject(fleet, h);
    if (!subject || !ruleApplies(rule, h.env, h.group)) continue;
    const f = findings.get(h.node);
    out.push(obs(rule, nodeKey(rule.name, h.node), subject, f?.bad, f?.summary ?? 'no eth_config answer'));
  }
  return out;
}

function stalled(fleet: Fleet, rule: CompiledRule, health: FleetHealth, opts: TruthOptions): Observation[] {
  const out: Observation[] = [];
  const watch = forkWatchMs(fleet);
  const seen = new Set<string>();
  for (const f of forkStates(fleet, health, opts.now)) {
    if (!f.activated) continue;
    const since = f.remainingMs !== undefined ? -f.remainingMs : 0;
    for (const h of f.nodes) {
      const subject = nodeSubject(fleet, h);
      if (!subject || seen.has(h.node) || !ruleApplies(rule, h.env, h.group)) continue;
      seen.add(h.node);
      out.push(obs(rule, nodeKey(rule.name, h.node), subject, ...judgeStalled(fleet, f, h, since <= watch, opts)));
    }
  }
  return out;
}

function judgeStalled(fleet: Fleet, f: ForkState, h: NodeHealth, watching: boolean, opts: TruthOptions): [boolean | undefined, string] {
  if (!watching) return [false, `${f.fork.name} activated more than ${fleet.chain_truth.fork_watch} ago`];
  const s = h.snapshot;
  if (!s || opts.now - s.at > opts.staleMs || opts.maintenance?.has(h.node)) return [undefined, 'no data'];
  if (!s.reachable) return [true, `${h.node} stopped answering after ${f.fork.name} activated: ${s.error ?? 'unreachable'}`];
  const t = fleet.environments[h.env]?.thresholds;
  const oldHead = h.headAgeMs !== undefined && t !== undefined && h.headAgeMs > t.max_head_age;
  const behind = h.lag !== undefined && t !== undefined && h.lag > t.max_lag_blocks;
  if (oldHead || behind) {
    const why = [oldHead ? `head age ${clock(h.headAgeMs!)}` : '', behind ? `${h.lag} blocks behind` : ''].filter(Boolean).join(', ');
    return [true, `${h.node} stopped advancing after ${f.fork.name} activated (${why}); a client that does not follow the fork falls off the chain`];
  }
  return [false, `${h.node} follows the chain after ${f.fork.name}`];
}
