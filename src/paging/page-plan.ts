import type { Alert } from '../alerts/alert.types.ts';
import { ALERT_SEVERITIES } from '../alerts/alert.types.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import { alertTitle } from '../render/alert.message.ts';
import type { PageTarget } from './page-target.schema.ts';

/** What ChainOps tells a pager about one alert (the Events API v2 `event_action`). */
export const PAGE_TRANSITIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export type PageTransition = (typeof PAGE_TRANSITIONS)[number];

/** Marks changes that came from the pager itself, so they are not echoed back to it. */
export const PAGER_ACTOR_PREFIX = 'pagerduty:';
export const PAGER_RESOLUTION_PREFIX = 'resolved in PagerDuty';

/** One event for a pager, neutral of its wire format (each adapter writes its own). */
export interface PageEvent {
  action: PageTransition;
  /** Stable per ChainOps alert: every transition of one alert names the same incident. */
  dedupKey: string;
  alertId: string;
  summary: string;
  /** PagerDuty's severities happen to include ours (info, warning, critical). */
  severity: Alert['severity'];
  source: string;
  component?: string;
  group: string;
  class: string;
  timestamp: string;
  details: Record<string, string>;
}

/** `chainops-al-xxxxxxxx`: the dedup key (PagerDuty's incident_key) of an alert. */
export function dedupKeyOf(alertId: string): string {
  return `chainops-${alertId}`;
}

/** The alert id a pager incident belongs to: from its incident key, or the `[al-…]` its title carries. */
export function alertIdOfIncident(incidentKey: string | undefined | null, title: string | undefined | null): string | undefined {
  const fromKey = /^chainops-(al-[a-z0-9]{8})$/.exec(incidentKey ?? '')?.[1];
  return fromKey ?? /\[(al-[a-z0-9]{8})\]/.exec(title ?? '')?.[1];
}

/** The pagers an alert escalates to: the first `alerts.routes` entry matching it that has `page:`, if its severity reaches `page_at`. */
export function pageTargetsFor(fleet: Fleet, a: Pick<Alert, 'env' | 'chain' | 'severity'>): PageTarget[] {
  const route = fleet.alerts.routes.find((r) => (!r.env || r.env === a.env) && (!r.chain || r.chain === a.chain) && r.page);
  const target = route?.page;
  if (!target) return [];
  return ALERT_SEVERITIES.indexOf(a.severity) >= ALERT_SEVERITIES.indexOf(target.page_at) ? [target] : [];
}

/** A stable short name of a target (for claim keys and thread lines); never contains a secret. */
export function targetId(t: PageTarget): string {
  return t.to === 'pagerduty' ? `pagerduty-${t.routing_key_env}` : `webhook-${t.secret_env}`;
}

export function targetLabel(t: PageTarget): string {
  return t.to === 'pagerduty' ? 'PagerDuty' : `the paging webhook (${new URL(t.url).host})`;
}

/**
 * The pager transition a saved alert stands for, if any: a firing alert people were told of (not
 * muted) triggers; an acknowledgement or resolution made here (not one that came from the pager) is
 * passed on.
 */
export function transitionOf(a: Alert): PageTransition | undefined {
  if (a.state === 'firing' && a.posted && !a.silence) return 'trigger';
  if (a.state === 'acknowledged' && !a.ack?.by.startsWith(PAGER_ACTOR_PREFIX)) return 'acknowledge';
  if (a.state === 'resolved' && !a.resolution?.startsWith(PAGER_RESOLUTION_PREFIX)) return 'resolve';
  return undefined;
}

/** The event for one transition of an alert. */
export function pageEvent(a: Alert, action: PageTransition, now: number): PageEvent {
  const source = a.scope === 'node' ? (a.node ?? a.env) : `${a.env}/${a.chain}/${a.network}`;
  return {
    action,
    dedupKey: dedupKeyOf(a.id),
    alertId: a.id,
    // The id in brackets lets a webhook without the incident key still name the alert.
    summary: `[${a.id}] ${alertTitle(a)}: ${a.summary}`.slice(0, 1024),
    severity: a.severity,
    source,
    ...(a.group ? { component: a.group } : {}),
    group: a.env,
    class: a.rule,
    timestamp: new Date(action === 'trigger' ? (a.firedAt ?? now) : now).toISOString(),
    details: { alert: a.id, rule: a.rule, condition: a.expr, chain: `${a.chain}/${a.network}`, environment: a.env, ...(a.ack ? { acknowledged_by: a.ack.by } : {}) },
  };
}
