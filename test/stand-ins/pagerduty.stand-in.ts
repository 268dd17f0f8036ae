import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for PagerDuty, for tests only. The Events API v2 side follows
 * developer.pagerduty.com "Send an Alert Event": POST /v2/enqueue with JSON `{routing_key, event_action,
 * dedup_key, payload{summary, source, severity, …}}`, answered 202 `{status: "success", message: "Event
 * processed", dedup_key}`, 400 `{status: "invalid event", message, errors[]}` for a bad event, 429 when
 * told to. Incidents are kept by dedup key (trigger opens, acknowledge/resolve change an open one).
 * The webhook side sends v3 payloads (`{event: {id, event_type, resource_type, occurred_at, agent,
 * data: incident}}`) signed `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the body>`.
 */

export interface PdEvent {
  raw: string;
  body: { routing_key?: string; event_action?: string; dedup_key?: string; payload?: Record<string, any>; [k: string]: unknown };
  status: number;
  at: number;
}

export interface PdIncident {
  id: string;
  dedupKey: string;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  number: number;
}

export interface PagerDutyStandIn {
  /** Base for PAGERDUTY_EVENTS_URL. */
  url: string;
  events: PdEvent[];
  incidents: Map<string, PdIncident>;
  /** Accepted events with this action (202). */
  accepted(action?: string): PdEvent[];
  /** Answer the next `n` events with this HTTP status (500, 429 …). */
  failNext(status: number, n?: number, retryAfterSec?: number): void;
  /** What PagerDuty POSTs to a webhook subscription when a person changes the incident; returns the HTTP status. */
  sendWebhook(url: string, secret: string, e: { eventType: 'incident.acknowledged' | 'incident.resolved'; dedupKey: string; agent?: string; forgeWith?: string; withoutIncidentKey?: boolean }): Promise<number>;
  stop(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export async function startPagerDutyStandIn(opts: { routingKeys: string[] }): Promise<PagerDutyStandIn> {
  const events: PdEvent[] = [];
  const incidents = new Map<string, PdIncident>();
  const failures: Array<{ status: number; retryAfterSec?: number }> = [];
  let numbers = 0;

  const server = createServer((req, res) => {
    void readAll(req).then((raw) => {
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== '/v2/enqueue') return reply(404, { status: 'not found' });
      let body: PdEvent['body'];
      try {
        body = JSON.parse(raw) as PdEvent['body'];
      } catch {
        events.push({ raw, body: {}, status: 400, at: Date.now() });
        return reply(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Body is not JSON'] });
      }
      const record = (status: number) => events.push({ raw, body, status, at: Date.now() });
      const fail = failures.shift();
      if (fail) {
        record(fail.status);
        return reply(fail.status, fail.status === 429 ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' } : { status: 'error' },
          fail.retryAfterSec ? { 'retry-after': String(fail.retryAfterSec) } : {});
      }
      const errors = validate(body, opts.routingKeys);
      if (errors.length) {
        record(400);
        return reply(400, { status: 'invalid event', message: 'Event object is invalid', errors });
      }
      record(202);
      const key = body.dedup_key ?? randomUUID().replace(/-/g, '');
      const open = incidents.get(key);
      if (body.event_action === 'trigger' && (!open || open.status === 'resolved')) {
        incidents.set(key, { id: `PINC${++numbers}`, dedupKey: key, title: String(body.payload?.summary), status: 'triggered', number: numbers });
      } else if (open && open.status !== 'resolved' && body.event_action === 'acknowledge') open.status = 'acknowledged';
      else if (open && body.event_action === 'resolve') open.status = 'resolved';
      return reply(202, { status: 'success', message: 'Event processed', dedup_key: key });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    events,
    incidents,
    accepted: (action) => events.filter((e) => e.status === 202 && (!action || e.body.event_action === action)),
    failNext(status, n = 1, retryAfterSec) {
      for (let i = 0; i < n; i++) failures.push({ status, ...(retryAfterSec ? { retryAfterSec } : {}) });
    },
    async sendWebhook(target, secret, e) {
      const inc = incidents.get(e.dedupKey);
      if (!inc) throw new Error(`no incident with dedup key ${e.dedupKey}`);
      inc.status = e.eventType === 'incident.acknowledged' ? 'acknowledged' : 'resolved';
      const body = JSON.stringify({
        event: {
          id: randomUUID(), event_type: e.eventType, resource_type: 'incident', occurred_at: new Date().toISOString(),
          agent: { html_url: 'https://acme.pagerduty.com/users/PLH1HKV', id: 'PLH1HKV', self: 'https://api.pagerduty.com/users/PLH1HKV', summary: e.agent ?? 'Tenex Engineer', type: 'user_reference' },
          client: null,
          data: {
            id: inc.id, type: 'incident', self: `https://api.pagerduty.com/incidents/${inc.id}`, html_url: `https://acme.pagerduty.com/incidents/${inc.id}`,
            number: inc.number, status: inc.status, title: inc.title, ...(e.withoutIncidentKey ? {} : { incident_key: inc.dedupKey }),
            service: { id: 'PF9KMXH', summary: 'ChainOps', type: 'service_reference' }, assignees: [], teams: [], urgency: 'high', resolve_reason: null,
          },
        },
      });
      const sig = `v1=${createHmac('sha256', e.forgeWith ?? secret).update(body).digest('hex')}`;
      const res = await fetch(target, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-pagerduty-signature': sig, 'user-agent': 'PagerDuty-Webhook/V3.0' } });
      await res.arrayBuffer();
      return res.status;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function validate(b: PdEvent['body'], keys: string[]): string[] {
  const errors: string[] = [];
  if (typeof b.routing_key !== 'string' || b.routing_key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (!keys.includes(b.routing_key)) errors.push("'routing_key' is not a known integration key");
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(b.event_action))) errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  if (b.event_action !== 'trigger' && !b.dedup_key) errors.push("'dedup_key' is required for acknowledge and resolve");
  if (b.dedup_key !== undefined && (typeof b.dedup_key !== 'string' || b.dedup_key.length > 255)) errors.push("'dedup_key' must be a string of at most 255 characters");
  if (b.event_action === 'trigger') {
    const p = b.payload;
    if (!p || typeof p !== 'object') errors.push("'payload' is missing or blank");
    else {
      if (typeof p.summary !== 'string' || !p.summary || p.summary.length > 1024) errors.push("'payload.summary' is missing, blank or longer than 1024 characters");
      if (typeof p.source !== 'string' || !p.source) errors.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(String(p.severity))) errors.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
      if (p.timestamp !== undefined && Number.isNaN(Date.parse(String(p.timestamp)))) errors.push("'payload.timestamp' is not ISO 8601");
    }
  }
  return errors;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
