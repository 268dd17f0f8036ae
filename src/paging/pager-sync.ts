import { rootItems, threadItems } from '../alerts/alert-outbox.ts';
import { updateAlert } from '../alerts/alert-store.ops.ts';
import { acknowledge, resolveAlert } from '../alerts/lifecycle.ts';
import type { AlertStore } from '../ports/alert.port.ts';
import type { AuditLog } from '../ports/audit.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { Outbox } from '../ports/outbox.port.ts';
import { alertThreadMessage, alertTitle } from '../render/alert.message.ts';
import { PAGER_ACTOR_PREFIX, PAGER_RESOLUTION_PREFIX } from './page-plan.ts';

/** Something a person did to an incident in the pager, already verified and parsed by its adapter. */
export interface PagerChange {
  kind: 'acknowledged' | 'resolved';
  alertId: string;
  /** Who did it, as the pager names them (display only). */
  by: string;
}

export interface PagerSyncDeps {
  alerts: AlertStore;
  outbox: Outbox;
  audit: AuditLog;
  clock: Clock;
}

/**
 * Bring the alert in line with its incident: acknowledged in the pager → acknowledged here (reminders
 * stop); resolved there → resolved here (a condition that still holds opens a new alert at the next
 * check). The root is edited and the thread says who did it where. Changes marked as the pager's are
 * not sent back to it. Returns what happened, for the log.
 */
export async function applyPagerChange(deps: PagerSyncDeps, c: PagerChange): Promise<string> {
  const now = deps.clock.now();
  const by = c.by.replace(/[\r\n]+/g, ' ').slice(0, 80) || 'someone';
  const r = await updateAlert(deps.alerts, c.alertId, (a) => {
    if (a.state === 'resolved') return `${a.id} already resolved`;
    if (c.kind === 'resolved') return { alert: resolveAlert(a, now, `${PAGER_RESOLUTION_PREFIX} by ${by}`) };
    const res = acknowledge(a, `${PAGER_ACTOR_PREFIX}${by}`, now);
    return res.ok ? { alert: res.alert } : res.why;
  });
  if (typeof r === 'string') return r;
  const a = r.alert;
  const line = c.kind === 'acknowledged'
    ? `📟 Acknowledged in PagerDuty by ${by}; reminders stop.`
    : `✅ Resolved in PagerDuty by ${by}. If the condition still holds, the next check opens a new alert.`;
  if (a.posted) for (const item of [...rootItems(a, now), ...threadItems(a, alertThreadMessage(line, c.kind === 'resolved' ? 'ok' : 'info'))]) await deps.outbox.publish(item);
  await deps.audit.append({ at: now, actor: `${PAGER_ACTOR_PREFIX}${by}`.slice(0, 100), action: c.kind === 'acknowledged' ? 'alert.ack' : 'alert.resolve', detail: `${a.id} ${alertTitle(a)} (in PagerDuty)`, outcome: 'ok', ref: a.id });
  return `${a.id} ${c.kind} in PagerDuty by ${by}`;
}
