import { resolveCharts } from '../charts/chart-resolve.ts';
import type { OutboxItem } from '../ports/outbox.port.ts';
import type { Runtime } from './runtime.ts';

/**
 * An outbox item with the data of its charts read from the KPI history, just before delivery: the
 * worker that fired an alert only names what to draw, so outbox entries stay small.
 */
export async function withChartData(rt: Pick<Runtime, 'state' | 'fleet'>, item: OutboxItem): Promise<OutboxItem> {
  if (!item.message.attachments?.length) return item;
  return { ...item, message: await resolveCharts(item.message, { history: rt.state, fleet: rt.fleet(), now: Date.now() }) };
}
