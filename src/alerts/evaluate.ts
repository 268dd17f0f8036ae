import type { Fleet } from '../fleet/fleet.schema.ts';
import type { FleetHealth } from '../health/fleet-health.ts';
import type { Alert, AlertNotice, Silence } from './alert.types.ts';
import { ALERT_DEFAULTS } from './default-rules.ts';
import { idle, resolveAlert, step, type StepContext } from './lifecycle.ts';
import { observe } from './observe.ts';
import { observeChainTruth } from './chain-truth.observe.ts';
import { actionNames, remedyFor } from './remediation.ts';
import { alertTargets } from './routing.ts';
import { compileRules } from './rules.ts';
import { silenceFor } from './silences.ts';

export interface EvaluateInput {
  fleet: Fleet;
  /** The fleet's verdicts from the latest snapshots (`assessFleet`). */
  health: FleetHealth;
  now: number;
  /** Alerts in state pending, firing or acknowledged. */
  active: readonly Alert[];
  silences: readonly Silence[];
  /** Short random id part for new alerts. */
  newId: () => string;
  /** Snapshots older than this are no data; default three sweep intervals. */
  staleMs?: number;
  /** Host facts older than this are no data; default three host intervals. */
  hostStaleMs?: number;
  /** Nodes being acted on (node leases): judged as no data. See `ObserveOptions.maintenance`. */
  maintenance?: ReadonlyMap<string, string>;
  /**
   * Only these nodes were checked just now (a recheck or a partial sweep): only their node alerts
   * move; every other alert is left as it is, so an older result is never counted twice.
   */
  only?: ReadonlySet<string>;
  /**
   * With `only`: also move the alerts that are not about one node (group, chain). A sharded sweep
   * sets it on one share per round, so those alerts move once per round, not once per share.
   */
  wide?: boolean;
}

/** One alert's change: `before` (absent for a new one) → `after` (null: forget it). */
export interface AlertChange {
  before?: Alert;
  after: Alert | null;
  notices: AlertNotice[];
  /** Run the alert's automatic remediation (it fired just now, not muted). */
  autoRemedy?: boolean;
}

/**
 * Run every rule over the latest verdicts and move each alert one step. Pure: the caller saves each
 * change (compare-and-set on `rev`) and publishes its notices only when the save went through.
 */
export function evaluate(input: EvaluateInput): AlertChange[] {
  const { fleet, now } = input;
  const staleMs = input.staleMs ?? fleet.health.interval * 3;
  const hostStaleMs = input.hostStaleMs ?? (fleet.health.host_interval ?? 300_000) * 3;
  const ctx: StepContext = {
    now,
    reminderMs: fleet.alerts.reminder ?? ALERT_DEFAULTS.reminderMs,
    silenceFor: (a) => silenceFor(input.silences, a, now),
    newId: input.newId,
    targets: (o) => alertTargets(fleet, o.subject, o.rule.route),
    remedy: (o) => {
      const r = remedyFor(fleet, o.rule.name, o.subject.env, o.subject.group);
      return r ? { action: r.action, mode: r.mode } : undefined;
    },
    actions: (o) => {
      const node = o.subject.scope === 'node' && o.subject.node !== undefined ? nodesByName(fleet).get(o.subject.node) : undefined;
      if (!node) return [];
      // Without SSH only the RPC half of diagnostics can run.
      return node.ssh ? actionNames(fleet, node) : ['diagnose'];
    },
  };
  const byKey = new Map(input.active.map((a) => [a.key, a]));
  const changes: AlertChange[] = [];
  const keep = (before: Alert | undefined, r: ReturnType<typeof step>) => {
    if (r.next === undefined) return; // notices always come with a change to save
    changes.push({ ...(before ? { before } : {}), after: r.next, notices: r.notices, ...(r.autoRemedy ? { autoRemedy: true } : {}) });
  };
  const seen = new Set<string>();
  const judged = (a: { scope: string; node?: string | undefined }) =>
    !input.only || (a.scope === 'node' ? a.node !== undefined && input.only.has(a.node) : input.wide === true);
  const maintenance = input.maintenance ? { maintenance: input.maintenance } : {};
  const observations = [
    ...observe(fleet, input.health, { now, staleMs, hostStaleMs, ...maintenance }),
    ...observeChainTruth(fleet, input.health, { now, staleMs, active: input.active, ...maintenance }),
  ];
  for (const o of observations) {
    seen.add(o.key);
    if (!judged(o.subject)) continue;
    const prev = byKey.get(o.key);
    keep(prev, step(prev, o, ctx));
  }
  const rules = new Set(compileRules(fleet).map((r) => r.name));
  for (const a of input.active) {
    if (seen.has(a.key) || !judged(a)) continue;
    // Every node of the fleet is judged by every rule that covers it, so an unseen node alert lost
    // its node or its rule; a chain with no node reporting this time is only unseen.
    const gone = !rules.has(a.rule) || a.scope === 'node';
    if (!gone) {
      keep(a, idle(a, ctx));
      continue;
    }
    if (a.state === 'pending') {
      changes.push({ before: a, after: null, notices: [] });
      continue;
    }
    const done = resolveAlert(a, now, `no longer checked: ${rules.has(a.rule) ? 'the node left the fleet file or the rule no longer covers it' : `rule ${a.rule} left the fleet file`}`);
    changes.push({ before: a, after: done, notices: done.posted ? [{ kind: 'resolved', alert: done }] : [] });
  }
  return changes;
}

const byName = new WeakMap<Fleet, Map<string, Fleet['nodes'][number]>>();

/** The fleet's nodes by name, built once per fleet object: a sweep of 100 000 nodes with many alerts must not scan the list per alert. */
function nodesByName(fleet: Fleet): Map<string, Fleet['nodes'][number]> {
  let m = byName.get(fleet);
  if (!m) byName.set(fleet, (m = new Map(fleet.nodes.map((n) => [n.name, n]))));
  return m;
}
