import { sameVersion } from '../../health/version.ts';
import { requireEnv } from '../../fleet/fleet.lookup.ts';
import { titled } from '../../render/basic.messages.ts';
import { str, type HandlerContext } from '../context.ts';
import { freshSnapshots } from '../fresh-snapshots.ts';

/**
 * `drift [--env]`: nodes whose RPC-reported client version differs from their group's desired version.
 * Capacity drift (CPU, RAM, disk over SSH) and count drift (Terraform) come with provisioning.
 */
export async function driftHandler(ctx: HandlerContext): Promise<void> {
  const env = str(ctx, 'env');
  if (env) requireEnv(ctx.fleet, env);
  const nodes = ctx.fleet.nodes.filter((n) => !env || n.env === env);
  const snaps = new Map((await freshSnapshots(ctx, nodes)).map((s) => [s.node, s]));
  const rows: string[][] = [];
  for (const n of nodes) {
    const desired = ctx.fleet.groups[n.group]!.desired_version;
    const s = snaps.get(n.name);
    const running = s?.reachable ? s.version : undefined;
    if (running && sameVersion(running, desired)) continue;
    rows.push([n.name, `${n.env}/${n.group}`, running ?? (s?.reachable ? 'not reported' : 'unreachable'), desired]);
  }
  await ctx.respond(titled(`Version drift${env ? ` in ${env}` : ''}`, rows.length
    ? [
        { type: 'table', columns: ['node', 'group', 'running', 'desired'], rows },
        { type: 'context', text: 'Fix with `/chainops upgrade <group> <version> --env <env>`.' },
      ]
    : [{ type: 'text', text: `All ${nodes.length} nodes run their group's desired version.` }],
  { severity: rows.length ? 'warn' : 'ok', text: rows.length ? `${rows.length} nodes drift from the desired version` : 'No version drift' }));
}
