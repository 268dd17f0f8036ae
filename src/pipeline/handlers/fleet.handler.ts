import { UserError } from '../../errors.ts';
import { requireEnv, requireGroup } from '../../fleet/fleet.lookup.ts';
import type { Fleet, FleetNode } from '../../fleet/fleet.schema.ts';
import { assessFleet } from '../../health/fleet-health.ts';
import { nodesMessage, statusMessage } from '../../render/status.message.ts';
import { noteMessage } from '../../render/basic.messages.ts';
import { chainTruthLines, forksMessage } from '../../render/chain-truth.message.ts';
import { str, type HandlerContext } from '../context.ts';
import { freshSnapshots } from '../fresh-snapshots.ts';

function inEnv(ctx: HandlerContext): FleetNode[] {
  const env = str(ctx, 'env');
  if (env) requireEnv(ctx.fleet, env);
  return ctx.fleet.nodes.filter((n) => !env || n.env === env);
}

/** A fleet cut down to the chosen nodes, so group summaries and references cover only them. */
function only(fleet: Fleet, nodes: FleetNode[]): Fleet {
  return { ...fleet, nodes };
}

/** `status [--env]`: per group healthy/degraded/down, versions, reference head, max lag. */
export async function statusHandler(ctx: HandlerContext): Promise<void> {
  const nodes = inEnv(ctx);
  if (nodes.length === 0) {
    await ctx.respond(noteMessage('The fleet file lists no nodes here yet — add them under `nodes:` or `/chainops provision` some.'));
    return;
  }
  const snaps = await freshSnapshots(ctx, nodes);
  const now = ctx.deps.clock.now();
  const fleet = only(ctx.fleet, nodes);
  const health = assessFleet(fleet, snaps, now);
  if (str(ctx, 'view') === 'forks') return void (await ctx.respond(forksMessage(fleet, health, now)));
  await ctx.respond(statusMessage(health, now, chainTruthLines(fleet, health, now)));
}

/** `nodes [group] [--env]`: every node with version, head, lag and peers. */
export async function nodesHandler(ctx: HandlerContext): Promise<void> {
  const group = str(ctx, 'group');
  if (group) requireGroup(ctx.fleet, group);
  const scope = inEnv(ctx);
  const snaps = await freshSnapshots(ctx, scope);
  // Lag is relative to every node of the chain in scope, then the table shows the asked group only.
  const health = assessFleet(only(ctx.fleet, scope), snaps, ctx.deps.clock.now());
  const rows = health.nodes.filter((n) => !group || n.group === group);
  await ctx.respond(nodesMessage(group ? `Nodes of ${group}` : 'Nodes', rows, ctx.deps.clock.now()));
}

/** `health [target] [--env]`: check now over RPC (no cached answer) and show the result. */
export async function healthHandler(ctx: HandlerContext): Promise<void> {
  const target = str(ctx, 'target');
  const scope = inEnv(ctx);
  let chosen = scope;
  if (target) {
    chosen = scope.filter((n) => n.name === target || n.group === target);
    if (chosen.length === 0) throw new UserError('not_found', `\`${target}\` is neither a node nor a group here — see \`/chainops nodes\``);
  }
  // Check the chosen nodes now, and their chain peers too, so lag is measured against a fresh reference.
  const peers = scope.filter((n) => chosen.some((c) => ctx.fleet.groups[c.group]?.chain === ctx.fleet.groups[n.group]?.chain));
  const snaps = await freshSnapshots(ctx, peers, true);
  const health = assessFleet(only(ctx.fleet, peers), snaps, ctx.deps.clock.now());
  const names = new Set(chosen.map((n) => n.name));
  await ctx.respond(nodesMessage(target ? `Health of ${target}` : 'Health check', health.nodes.filter((n) => names.has(n.node)), ctx.deps.clock.now()));
}
