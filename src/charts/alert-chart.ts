import type { Alert } from '../alerts/alert.types.ts';
import { parseRuleExpr } from '../alerts/rule-expr.ts';
import type { Message } from '../chat/message.ts';
import { chartFilename, type ChartAttachment } from './chart-attachment.ts';
import type { ChartRequest } from './chart-request.ts';
import type { Kpi } from './kpi.types.ts';

const WINDOW_MS = 30 * 60_000;

/** The KPI an alert's rule watches and its limit; none for rules no KPI shows (version, disk). */
function kpiOf(expr: string): { kpi: Kpi; threshold?: number } | undefined {
  const parsed = parseRuleExpr(expr);
  if (!parsed.ok) return undefined;
  const c = parsed.expr.condition;
  if (c.kind === 'syncing' || c.kind === 'unreachable') return { kpi: 'head' };
  if (c.kind !== 'compare' || typeof c.value !== 'number') return undefined;
  if (c.metric === 'lag' || c.metric === 'head_age' || c.metric === 'peers' || c.metric === 'latency') return { kpi: c.metric, threshold: c.value };
  return undefined;
}

/**
 * What to chart when an alert fires: its KPI from 30 minutes (or as long again as it has held) before
 * the condition began up to delivery, the rule's limit as a line, the span it has held shaded; one
 * line per node of the chain for a chain alert.
 */
export function alertChartRequest(a: Alert): ChartRequest | undefined {
  const k = kpiOf(a.expr);
  if (!k) return undefined;
  const began = Math.min(a.since, a.firedAt ?? a.since);
  const held = Math.max(0, (a.firedAt ?? a.lastSeen) - began);
  const subject = a.node ?? `${a.env}/${a.chain}/${a.network}`;
  return {
    title: `${k.kpi} of ${subject} — ${a.rule}: ${a.expr}`,
    kpi: k.kpi,
    nodes: a.scope === 'node' && a.node ? [a.node] : [],
    ...(a.scope === 'chain' || !a.node ? { chain: { env: a.env, chain: a.chain, network: a.network } } : {}),
    from: began - Math.max(WINDOW_MS, held),
    ...(k.threshold !== undefined ? { threshold: k.threshold } : {}),
    shade: { from: began },
  };
}

/** The thread message carrying the chart of a firing alert, or undefined when its rule has no KPI. */
export function alertChartMessage(a: Alert): Message | undefined {
  const request = alertChartRequest(a);
  if (!request) return undefined;
  const attachment: ChartAttachment = { kind: 'chart', filename: chartFilename(request.kpi, a.node ?? a.chain, a.firedAt ?? a.since), alt: request.title, request };
  const limit = request.threshold !== undefined ? ', the rule\'s limit dashed' : '';
  return {
    text: `📈 ${request.kpi} around the alert`,
    blocks: [{ type: 'context', text: `📈 ${request.kpi} around the alert: the span it held shaded${limit}.` }],
    severity: 'info',
    attachments: [attachment],
  };
}
