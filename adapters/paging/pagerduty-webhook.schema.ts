import { z } from 'zod';
import { alertIdOfIncident } from '../../src/paging/page-plan.ts';
import type { PagerChange } from '../../src/paging/pager-sync.ts';

/** The slice of a webhook v3 payload ChainOps reads; everything else is ignored. */
const webhookV3 = z.object({
  event: z.object({
    id: z.string().max(100).optional(),
    event_type: z.string().max(100),
    resource_type: z.string().max(50).optional(),
    agent: z.object({ summary: z.string().max(200).optional(), type: z.string().max(50).optional() }).nullish(),
    data: z.object({
      id: z.string().max(50).optional(),
      type: z.string().max(50).optional(),
      title: z.string().max(1100).nullish(),
      incident_key: z.string().max(255).nullish(),
      status: z.string().max(50).optional(),
    }),
  }),
});

export type WebhookReading = { ok: true; change: PagerChange; eventId?: string } | { ok: false; ignored: string };

/** What a verified payload asks of ChainOps: acknowledge or resolve one of its alerts, or nothing. */
export function readPagerDutyWebhook(body: unknown): WebhookReading {
  const parsed = webhookV3.safeParse(body);
  if (!parsed.success) return { ok: false, ignored: 'not a webhook v3 event' };
  const e = parsed.data.event;
  const kind = e.event_type === 'incident.acknowledged' ? 'acknowledged' : e.event_type === 'incident.resolved' ? 'resolved' : undefined;
  if (!kind) return { ok: false, ignored: `event type ${e.event_type} is not synced` };
  const alertId = alertIdOfIncident(e.data.incident_key, e.data.title);
  if (!alertId) return { ok: false, ignored: 'the incident is not a ChainOps alert' };
  const by = e.agent?.summary ?? (e.agent?.type === 'service_reference' ? 'auto-resolution' : 'someone');
  return { ok: true, change: { kind, alertId, by }, ...(e.id ? { eventId: e.id } : {}) };
}
