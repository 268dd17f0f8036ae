import type { Fleet, Thresholds } from '../fleet/fleet.schema.ts';
import type { AlertSeverity } from './alert.types.ts';
import { ALERT_DEFAULTS, DEFAULT_RULES, type AlertRuleInput } from './default-rules.ts';
import { formatExpr, parseRuleExpr, THRESHOLD_OF, type Condition } from './rule-expr.ts';

/** A rule ready to evaluate: its condition parsed, its debounce settled. */
export interface CompiledRule {
  name: string;
  /** As written: `lag > threshold for 2m`. */
  when: string;
  condition: Condition;
  forMs: number;
  consecutive: number;
  severity: AlertSeverity;
  envs?: string[];
  groups?: string[];
  route?: { slack?: string; discord?: string; console?: string };
}

const cache = new WeakMap<Fleet, CompiledRule[]>();

/** The fleet's alert rules (or the defaults when it sets none), compiled once per fleet object. */
export function compileRules(fleet: Fleet): CompiledRule[] {
  const hit = cache.get(fleet);
  if (hit) return hit;
  const consecutive = fleet.alerts.consecutive ?? ALERT_DEFAULTS.consecutive;
  const inputs: readonly AlertRuleInput[] = fleet.alerts.rules ?? DEFAULT_RULES;
  const rules = inputs.flatMap((r): CompiledRule[] => {
    const parsed = parseRuleExpr(r.when);
    // The fleet schema refuses a bad condition, so this only skips rules of a fleet built by hand.
    if (!parsed.ok) return [];
    return [{
      name: r.name,
      when: r.when,
      condition: parsed.expr.condition,
      forMs: parsed.expr.forMs,
      consecutive: r.consecutive ?? consecutive,
      severity: r.severity,
      ...(r.envs ? { envs: r.envs } : {}),
      ...(r.groups ? { groups: r.groups } : {}),
      ...(r.route ? { route: r.route } : {}),
    }];
  });
  cache.set(fleet, rules);
  return rules;
}

/** Does the rule cover a node of this environment and group? */
export function ruleApplies(rule: CompiledRule, env: string, group?: string): boolean {
  if (rule.envs && !rule.envs.includes(env)) return false;
  if (rule.groups && (!group || !rule.groups.includes(group))) return false;
  return true;
}

/** The comparison limit in an environment (`threshold` resolved), or undefined for non-comparisons. */
export function limitOf(rule: CompiledRule, thresholds: Thresholds): number | undefined {
  const c = rule.condition;
  if (c.kind !== 'compare') return undefined;
  if (c.value !== 'threshold') return c.value;
  const key = THRESHOLD_OF[c.metric];
  return key ? thresholds[key] : undefined;
}

/** The rule as it applies in an environment: `lag > 5 for 2m`. */
export function exprIn(rule: CompiledRule, thresholds: Thresholds): string {
  return formatExpr({ condition: rule.condition, forMs: rule.forMs }, limitOf(rule, thresholds));
}

/** Rules whose per-node results add up to one chain-level alert when every node of a chain fails. */
export function isHeadAgeRule(rule: CompiledRule): boolean {
  const c = rule.condition;
  return c.kind === 'compare' && c.metric === 'head_age' && (c.op === '>' || c.op === '>=');
}
