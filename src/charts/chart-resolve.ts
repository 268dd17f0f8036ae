import type { Message } from '../chat/message.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import { buildChart, type ChartRequest } from './chart-request.ts';
import type { ChartSpec, KpiHistory } from './kpi.types.ts';
import { sparklineBlock } from './chart-text.ts';

/** Nodes of one chain, network and environment in the fleet. */
export function chainNodes(fleet: Fleet, c: { env: string; chain: string; network: string }): string[] {
  return fleet.nodes.filter((n) => n.env === c.env && fleet.groups[n.group]?.chain === c.chain && fleet.groups[n.group]?.network === c.network).map((n) => n.name);
}

/** Fill what a request leaves to the fleet: the chain's nodes, and the lag reference (the first node's chain). */
export function completeRequest(req: ChartRequest, fleet: Fleet): ChartRequest {
  const nodes = req.nodes.length === 0 && req.chain ? chainNodes(fleet, req.chain) : req.nodes;
  if (req.reference || req.kpi !== 'lag') return { ...req, nodes };
  const first = fleet.nodes.find((n) => n.name === nodes[0]);
  const group = first ? fleet.groups[first.group] : undefined;
  const reference = req.chain ? chainNodes(fleet, req.chain) : first && group ? chainNodes(fleet, { env: first.env, chain: group.chain, network: group.network }) : nodes;
  return { ...req, nodes, reference };
}

/** The chart of a request, read from the history at the fleet's sweep interval. */
export function chartFor(req: ChartRequest, deps: { history: KpiHistory; fleet: Fleet; now: number }): Promise<ChartSpec> {
  return buildChart(completeRequest(req, deps.fleet), deps.history, deps.now, deps.fleet.health.interval);
}

/**
 * Read the data of every chart attachment that has only its request (alert threads), and add the
 * sparklines to the text. A chart that cannot be read leaves the message as it was: the text still goes out.
 */
export async function resolveCharts(message: Message, deps: { history: KpiHistory; fleet: Fleet; now: number }): Promise<Message> {
  if (!message.attachments?.some((a) => !a.chart)) return message;
  const attachments = [];
  const blocks = [...message.blocks];
  for (const a of message.attachments) {
    if (a.chart) {
      attachments.push(a);
      continue;
    }
    try {
      const chart = await chartFor(a.request, deps);
      attachments.push({ ...a, chart });
      blocks.push(sparklineBlock(chart));
    } catch {
      attachments.push(a);
    }
  }
  return { ...message, blocks, attachments };
}
