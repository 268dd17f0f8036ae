import type { PageEvent } from '../../src/paging/page-plan.ts';

/** Default base of PagerDuty's Events API (PAGERDUTY_EVENTS_URL overrides it). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com';

/**
 * The Events API v2 body (POST /v2/enqueue) for one event. A trigger carries the payload; acknowledge
 * and resolve carry only the dedup key, as the API wants.
 */
export function pagerDutyBody(routingKey: string, e: PageEvent): Record<string, unknown> {
  const base = { routing_key: routingKey, event_action: e.action, dedup_key: e.dedupKey };
  if (e.action !== 'trigger') return base;
  return {
    ...base,
    client: 'ChainOps',
    payload: {
      summary: e.summary,
      source: e.source,
      severity: e.severity,
      timestamp: e.timestamp,
      ...(e.component ? { component: e.component } : {}),
      group: e.group,
      class: e.class,
      custom_details: e.details,
    },
  };
}
