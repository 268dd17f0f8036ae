import { chartFilename } from '../../charts/chart-attachment.ts';
import { chartFor } from '../../charts/chart-resolve.ts';
import type { ChartRequest } from '../../charts/chart-request.ts';
import { sparklineBlock } from '../../charts/chart-text.ts';
import { KPIS, type Kpi } from '../../charts/kpi.types.ts';
import { UserError } from '../../errors.ts';
import type { Fleet } from '../../fleet/fleet.schema.ts';
import { shortDuration } from '../../alerts/rule-expr.ts';
import { titled } from '../../render/basic.messages.ts';
import { num, str, type HandlerContext } from '../context.ts';

const DAY_MS = 86_400_000;

/** The environment threshold a KPI is judged by, when one node's (or one group's) environment is known. */
function thresholdOf(fleet: Fleet, kpi: Kpi, env: string | undefined): number | undefined {
  const t = env ? fleet.environments[env]?.thresholds : undefined;
  if (!t) return undefined;
  return kpi === 'lag' ? t.max_lag_blocks : kpi === 'head_age' ? t.max_head_age : kpi === 'peers' ? t.min_peers : undefined;
}

/** `chart <node|group> [kpi] [--since 6h]`: the stored KPI history as a PNG and a sparkline per node. */
export async function chartHandler(ctx: HandlerContext): Promise<void> {
  const history = ctx.deps.kpi;
  if (!history) throw new UserError('unavailable', 'charts need the KPI history in Redis, which this process has not got — run the bot with REDIS_URL set');
  const target = str(ctx, 'target')!;
  const kpi = (str(ctx, 'kpi') ?? 'lag') as Kpi;
  const sinceMs = Math.min(num(ctx, 'since') ?? 6 * 3_600_000, DAY_MS);
  const { fleet } = ctx;
  const node = fleet.nodes.find((n) => n.name === target);
  const nodes = node ? [node] : fleet.nodes.filter((n) => n.group === target);
  if (nodes.length === 0) {
    throw new UserError('not_found', `\`${target}\` is neither a node nor a group with nodes in the fleet file — try \`/chainops nodes\` for the names`);
  }
  const envs = [...new Set(nodes.map((n) => n.env))];
  const now = ctx.deps.clock.now();
  const threshold = envs.length === 1 ? thresholdOf(fleet, kpi, envs[0]) : undefined;
  const request: ChartRequest = {
    title: `${kpi} of ${target} — last ${shortDuration(sinceMs)}`,
    kpi,
    nodes: nodes.map((n) => n.name),
    from: now - sinceMs,
    to: now,
    ...(threshold !== undefined ? { threshold } : {}),
  };
  const chart = await chartFor(request, { history, fleet, now });
  const points = chart.series.reduce((n, s) => n + s.points.length, 0);
  const limit = threshold !== undefined ? ` · threshold ${kpi === 'head_age' ? shortDuration(threshold) : threshold} (dashed)` : '';
  const message = titled(`📈 ${request.title}`, [
    sparklineBlock(chart),
    { type: 'context', text: points ? `${points} stored point${points === 1 ? '' : 's'} · one line per node${limit} · kinds: ${KPIS.join(', ')}` : `No stored history for ${target} in that window yet — the health sweep records one point per interval.` },
  ]);
  await ctx.respond({ ...message, ...(points ? { attachments: [{ kind: 'chart', filename: chartFilename(kpi, target, now), alt: request.title, request, chart }] } : {}) });
}
