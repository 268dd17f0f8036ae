import type { Conversation } from '../chat/chat-event.ts';
import type { Alert, AlertNotice, Silence } from './alert.types.ts';
import type { Observation } from './observe.ts';

/** What one step of the state machine needs from outside; all of it plain data or pure functions. */
export interface StepContext {
  now: number;
  /** 0 turns reminders off. */
  reminderMs: number;
  /** The unexpired silence covering an alert, if any. */
  silenceFor(a: Pick<Alert, 'key' | 'node' | 'group' | 'rule'>): Silence | undefined;
  /** Short random part of a new alert id. */
  newId(): string;
  targets(o: Observation): Conversation[];
  remedy(o: Observation): Alert['remedy'];
  /** Action names for the subject's node (empty for chain alerts). */
  actions(o: Observation): string[];
}

export interface StepResult {
  /** undefined: nothing to save; null: forget it (a pending alert that cleared); else save this. */
  next?: Alert | null;
  notices: AlertNotice[];
  /** The alert fired just now with an automatic remediation to run (not muted). */
  autoRemedy?: boolean;
}

const ACTIVE = new Set(['firing', 'acknowledged']);

/**
 * One result for one alert key: pending counts results in a row and fires after `consecutive` of
 * them (and `for`, if set); a clear result forgets a pending alert silently and resolves a firing
 * or acknowledged one; no data changes nothing but reminders and silence expiry.
 */
export function step(prev: Alert | undefined, o: Observation, ctx: StepContext): StepResult {
  // A node that looked stalled just before its whole chain stalled must not fire on its own later.
  if (o.superseded && prev?.state === 'pending') return { next: null, notices: [] };
  // One that already fired (its head got old a sweep or two before the others) folds into the one
  // chain alert, so a stalled chain leaves exactly one alert firing.
  if (o.superseded && prev && ACTIVE.has(prev.state)) {
    const done = resolveAlert(prev, ctx.now, 'folded into the chain-stalled alert: every node of this chain has an old head');
    return { next: done, notices: done.posted ? [{ kind: 'resolved', alert: done }] : [] };
  }
  if (o.bad === undefined) return prev ? housekeeping({ ...prev }, ctx, false) : { notices: [] };
  if (o.bad === false) {
    if (!prev) return { notices: [] };
    if (prev.state === 'pending') return { next: null, notices: [] };
    const done = resolveAlert(prev, ctx.now, o.summary);
    return { next: done, notices: done.posted ? [{ kind: 'resolved', alert: done }] : [] };
  }
  if (!prev || prev.state === 'resolved') {
    const fresh = newAlert(o, ctx);
    return ready(fresh, o, ctx.now) ? fire(fresh, o, ctx) : { next: fresh, notices: [] };
  }
  const seen = { ...prev, count: prev.count + (prev.state === 'pending' ? 1 : 0), lastSeen: ctx.now, summary: o.summary, expr: o.expr, ...(o.value !== undefined ? { value: o.value } : {}) };
  if (seen.state === 'pending') return ready(seen, o, ctx.now) ? fire(seen, o, ctx) : { next: seen, notices: [] };
  return housekeeping(seen, ctx, true);
}

function newAlert(o: Observation, ctx: StepContext): Alert {
  return {
    ...o.subject,
    id: `al-${ctx.newId()}`,
    key: o.key,
    rule: o.rule.name,
    expr: o.expr,
    severity: o.rule.severity,
    state: 'pending',
    summary: o.summary,
    ...(o.value !== undefined ? { value: o.value } : {}),
    count: 1,
    since: ctx.now,
    lastSeen: ctx.now,
    posted: false,
    targets: [],
    reminders: 0,
    rev: 0,
  };
}

function ready(a: Alert, o: Observation, now: number): boolean {
  return a.count >= o.rule.consecutive && now - a.since >= o.rule.forMs;
}

function fire(a: Alert, o: Observation, ctx: StepContext): StepResult {
  const silence = ctx.silenceFor(a);
  const targets = ctx.targets(o);
  const remedy = ctx.remedy(o);
  const fired: Alert = {
    ...a,
    state: 'firing',
    firedAt: ctx.now,
    targets,
    posted: !silence && targets.length > 0,
    actions: ctx.actions(o),
    ...(remedy ? { remedy } : {}),
    ...(silence ? { silence: { id: silence.id, until: silence.until, by: silence.by } } : {}),
  };
  return {
    next: fired,
    notices: fired.posted ? [{ kind: 'fired', alert: fired }] : [],
    ...(remedy?.mode === 'auto' && !silence ? { autoRemedy: true } : {}),
  };
}

/** An alert with no result this time (its node or chain was not judged): reminders and silence expiry only. */
export function idle(a: Alert, ctx: StepContext): StepResult {
  return housekeeping({ ...a }, ctx, false);
}

/** Silence start and end, and reminders, for an active alert; `changed` forces a save. */
function housekeeping(a: Alert, ctx: StepContext, changed: boolean): StepResult {
  if (!ACTIVE.has(a.state)) return changed ? { next: a, notices: [] } : { notices: [] };
  const notices: AlertNotice[] = [];
  const silence = ctx.silenceFor(a);
  if (silence && a.silence?.id !== silence.id) {
    a.silence = { id: silence.id, until: silence.until, by: silence.by };
    if (a.posted) notices.push({ kind: 'silenced', alert: a, silence });
    changed = true;
  } else if (!silence && a.silence) {
    delete a.silence;
    changed = true;
    if (a.posted) notices.push({ kind: 'unsilenced', alert: a });
    else if (a.targets.length > 0) {
      // It fired while muted: people hear of it for the first time now.
      a.posted = true;
      notices.push({ kind: 'fired', alert: a });
    }
  }
  const last = a.lastRemindedAt ?? a.firedAt ?? a.since;
  if (a.state === 'firing' && a.posted && !a.silence && ctx.reminderMs > 0 && ctx.now - last >= ctx.reminderMs) {
    a.lastRemindedAt = ctx.now;
    a.reminders += 1;
    notices.push({ kind: 'reminder', alert: a });
    changed = true;
  }
  return changed ? { next: a, notices } : { notices };
}

/** The alert resolved at `now`, with the reason people will read in its thread. */
export function resolveAlert(a: Alert, now: number, why: string): Alert {
  const { silence: _s, ...rest } = a;
  return { ...rest, state: 'resolved', resolvedAt: now, resolution: why };
}

export type ChangeResult = { ok: true; alert: Alert; notices: AlertNotice[] } | { ok: false; why: string };

/** A person acknowledges a firing alert: reminders stop, the root shows who took it. */
export function acknowledge(a: Alert, by: string, now: number): ChangeResult {
  if (a.state === 'pending') return { ok: false, why: `${a.id} is not firing yet (still confirming: ${a.count} result${a.count === 1 ? '' : 's'} so far)` };
  if (a.state === 'resolved') return { ok: false, why: `${a.id} already resolved — nothing to acknowledge` };
  if (a.state === 'acknowledged') return { ok: false, why: `${a.id} was already acknowledged by ${a.ack?.by ?? 'someone'}` };
  const alert: Alert = { ...a, state: 'acknowledged', ack: { by, at: now } };
  return { ok: true, alert, notices: alert.posted ? [{ kind: 'acknowledged', alert }] : [] };
}

/** Apply a new silence to an active alert it covers (a longer silence already in place wins). */
export function muteAlert(a: Alert, s: Silence): ChangeResult {
  if (!ACTIVE.has(a.state) && a.state !== 'pending') return { ok: false, why: `${a.id} is ${a.state}` };
  if (a.silence && a.silence.until >= s.until) return { ok: false, why: `${a.id} is already silenced until later` };
  const alert: Alert = { ...a, silence: { id: s.id, until: s.until, by: s.by } };
  return { ok: true, alert, notices: alert.posted && ACTIVE.has(alert.state) ? [{ kind: 'silenced', alert, silence: s }] : [] };
}
