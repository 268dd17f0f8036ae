/**
 * The small language of alert conditions in the fleet file:
 *
 *   lag > 5 for 2m · head_age > 180s · peers < 3 · disk_used > 85% · mem_used > 90% · load1 > 8
 *   latency > 2s · syncing · unreachable for 1m · version != desired · lag > threshold
 *
 * `threshold` takes the value from the node's environment (`environments.<env>.thresholds`).
 * `for <duration>` keeps an alert pending until the condition has held that long.
 */

export const METRICS = ['lag', 'head_age', 'peers', 'disk_used', 'mem_used', 'load1', 'latency'] as const;
export type Metric = (typeof METRICS)[number];
export type CompareOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** Which environment threshold `threshold` means for a metric (none for the others). */
export const THRESHOLD_OF: Partial<Record<Metric, 'max_lag_blocks' | 'max_head_age' | 'min_peers' | 'max_disk_used_pct'>> = {
  lag: 'max_lag_blocks',
  head_age: 'max_head_age',
  peers: 'min_peers',
  disk_used: 'max_disk_used_pct',
};

type Unit = 'count' | 'time' | 'pct' | 'number';
const UNIT: Record<Metric, Unit> = {
  lag: 'count', head_age: 'time', peers: 'count', disk_used: 'pct', mem_used: 'pct', load1: 'number', latency: 'time',
};

export type Condition =
  | { kind: 'compare'; metric: Metric; op: CompareOp; value: number | 'threshold' }
  | { kind: 'syncing' }
  | { kind: 'unreachable' }
  | { kind: 'version' }
  | { kind: 'truth'; check: TruthCheck };

/**
 * Fleet-level checks of chain truth, judged across the nodes of a chain rather than per node:
 * `chain_split` (a node on another chain), `fork_unready` (below a fork's minimum version),
 * `fork_view` (a node's `eth_config` disagrees), `fork_stalled` (stopped advancing after a fork),
 * `client_supermajority` (one client runs more than `chain_truth.supermajority` of a chain).
 */
export const TRUTH_CHECKS = ['chain_split', 'fork_unready', 'fork_view', 'fork_stalled', 'client_supermajority'] as const;
export type TruthCheck = (typeof TRUTH_CHECKS)[number];

export interface RuleExpr {
  condition: Condition;
  /** 0 when no `for` was given. */
  forMs: number;
}

export type ExprResult = { ok: true; expr: RuleExpr } | { ok: false; why: string };

const HELP = 'write e.g. `lag > 5 for 2m`, `head_age > 180s`, `peers < 3`, `disk_used > 85%`, `syncing`, `unreachable for 1m`, `version != desired`, `chain_split`, `fork_unready`, `client_supermajority`';
const TIME_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const COMPARE_RE = /^([a-z_0-9]+)\s*(>=|<=|==|!=|>|<)\s*(threshold|\d{1,9}(?:\.\d{1,3})?)\s*(ms|s|m|h|%|blocks?|slots?)?$/;

/** Parse a condition; the reason says what fits. */
export function parseRuleExpr(text: string): ExprResult {
  const src = text.trim().replace(/\s+/g, ' ');
  if (src === '') return { ok: false, why: `the condition is empty — ${HELP}` };
  let head = src;
  let forMs = 0;
  const forMatch = /^(.*?) for (\d{1,7})(ms|s|m|h|d)$/.exec(src);
  if (forMatch) {
    head = forMatch[1]!;
    forMs = Number(forMatch[2]) * TIME_MS[forMatch[3] as keyof typeof TIME_MS];
  } else if (/ for /.test(` ${src} `)) {
    return { ok: false, why: `\`for\` needs a duration such as 2m or 90s — ${HELP}` };
  }
  if (head === 'syncing') return { ok: true, expr: { condition: { kind: 'syncing' }, forMs } };
  if (head === 'unreachable') return { ok: true, expr: { condition: { kind: 'unreachable' }, forMs } };
  if ((TRUTH_CHECKS as readonly string[]).includes(head)) return { ok: true, expr: { condition: { kind: 'truth', check: head as TruthCheck }, forMs } };
  if (/^version ?!= ?desired$/.test(head)) return { ok: true, expr: { condition: { kind: 'version' }, forMs } };
  const m = COMPARE_RE.exec(head);
  if (!m) return { ok: false, why: `\`${src.slice(0, 60)}\` is not a condition ChainOps knows — ${HELP}` };
  const metric = m[1] as Metric;
  if (!(METRICS as readonly string[]).includes(metric)) {
    return { ok: false, why: `\`${metric}\` is not a metric — use one of ${METRICS.join(', ')}, or syncing, unreachable, version != desired` };
  }
  const op = m[2] as CompareOp;
  const rawUnit = m[4];
  if (m[3] === 'threshold') {
    if (!THRESHOLD_OF[metric]) return { ok: false, why: `${metric} has no environment threshold — give a number, e.g. \`${metric} > 4\`` };
    if (rawUnit) return { ok: false, why: '`threshold` takes no unit' };
    return { ok: true, expr: { condition: { kind: 'compare', metric, op, value: 'threshold' }, forMs } };
  }
  const value = scaled(metric, Number(m[3]), rawUnit);
  if (typeof value === 'string') return { ok: false, why: value };
  return { ok: true, expr: { condition: { kind: 'compare', metric, op, value }, forMs } };
}

/** The number in the metric's base unit (ms for times, percent for shares), or why the unit does not fit. */
function scaled(metric: Metric, n: number, unit: string | undefined): number | string {
  switch (UNIT[metric]) {
    case 'time':
      if (unit === undefined) return n * 1_000; // a bare number is seconds, as elsewhere in the fleet file
      if (unit in TIME_MS) return n * TIME_MS[unit as keyof typeof TIME_MS];
      return `${metric} is a time — use ms, s, m or h, e.g. \`${metric} > 180s\``;
    case 'pct':
      if (unit === undefined || unit === '%') return n <= 100 ? n : `${metric} is a share from 0 to 100%`;
      return `${metric} is a share — write it as e.g. \`${metric} > 85%\``;
    case 'count':
      if (unit === undefined || /^(blocks?|slots?)$/.test(unit)) return Number.isInteger(n) ? n : `${metric} counts whole blocks or peers`;
      return `${metric} is a count — write e.g. \`${metric} > 5\``;
    case 'number':
      return unit === undefined ? n : `${metric} takes a plain number, e.g. \`${metric} > 8\``;
  }
}

/** True when `value op limit` holds. */
export function compare(value: number, op: CompareOp, limit: number): boolean {
  switch (op) {
    case '>': return value > limit;
    case '>=': return value >= limit;
    case '<': return value < limit;
    case '<=': return value <= limit;
    case '==': return value === limit;
    case '!=': return value !== limit;
  }
}

/** `90s`, `2m`, `1h30m`, `450ms`: short enough for a chat line. */
export function shortDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1_000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}

/** A metric value as people read it: `12 blocks`, `3m10s`, `91%`, `7.2`. */
export function showValue(metric: Metric, value: number): string {
  switch (UNIT[metric]) {
    case 'time': return shortDuration(value);
    case 'pct': return `${Math.round(value * 10) / 10}%`;
    case 'count': return metric === 'lag' ? `${value} block${value === 1 ? '' : 's'}` : String(value);
    case 'number': return String(Math.round(value * 100) / 100);
  }
}

const LABEL: Record<Metric, string> = {
  lag: 'lag', head_age: 'head age', peers: 'peers', disk_used: 'disk used', mem_used: 'memory used', load1: 'load', latency: 'RPC latency',
};

const SHOWN_OP: Record<CompareOp, string> = { '>': '>', '>=': '≥', '<': '<', '<=': '≤', '==': '=', '!=': '≠' };
const NEGATED: Record<CompareOp, CompareOp> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>', '==': '!=', '!=': '==' };

/**
 * What a value says against the rule, true whichever side it is on: `lag 12 blocks > 5 blocks` while
 * the condition holds, `lag 0 blocks, back within the rule (≤ 5 blocks)` once it no longer does.
 */
export function describeCompare(metric: Metric, value: number, op: CompareOp, limit: number): string {
  if (!compare(value, op, limit)) return `${LABEL[metric]} ${showValue(metric, value)}, back within the rule (${SHOWN_OP[NEGATED[op]]} ${showValue(metric, limit)})`;
  return `${LABEL[metric]} ${showValue(metric, value)} ${SHOWN_OP[op]} ${showValue(metric, limit)}`;
}

/** The condition as it applies in one environment: `lag > 5 for 2m`. */
export function formatExpr(expr: RuleExpr, limit?: number): string {
  const c = expr.condition;
  let head: string;
  if (c.kind === 'compare') {
    const v = c.value === 'threshold' ? limit : c.value;
    head = `${c.metric} ${c.op} ${v === undefined ? 'threshold' : UNIT[c.metric] === 'time' ? shortDuration(v) : UNIT[c.metric] === 'pct' ? `${v}%` : v}`;
  } else head = c.kind === 'version' ? 'version != desired' : c.kind === 'truth' ? c.check : c.kind;
  return expr.forMs > 0 ? `${head} for ${shortDuration(expr.forMs)}` : head;
}
