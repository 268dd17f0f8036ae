import { requireEnv } from '../../fleet/fleet.lookup.ts';
import { versionDrift, type DriftReport } from '../../inventory/drift-report.ts';
import { driftMessage } from '../../render/drift.message.ts';
import { str, type HandlerContext } from '../context.ts';
import { freshSnapshots } from '../fresh-snapshots.ts';
import { conversationOf, postOwned } from '../owned-message.ts';

/**
 * `drift [--env]`: version drift at once (RPC-reported version vs the group's desired version), then
 * a drift job adds capacity drift (SSH facts vs the group's shape) and count drift (Terraform plan
 * not empty) and edits the same message with the full table per group.
 */
export async function driftHandler(ctx: HandlerContext): Promise<void> {
  const env = str(ctx, 'env');
  if (env) requireEnv(ctx.fleet, env);
  const envs = env ? [env] : Object.keys(ctx.fleet.environments);
  const nodes = ctx.fleet.nodes.filter((n) => envs.includes(n.env));
  const snaps = new Map((await freshSnapshots(ctx, nodes)).map((s) => [s.node, s]));
  const report: DriftReport = {
    envs,
    nodes: nodes.map((n) => {
      const v = versionDrift(ctx.fleet, n, snaps.get(n.name));
      return { node: n.name, env: n.env, group: n.group, ...(v ? { version: v } : {}) };
    }),
    count: [],
    checked: { version: nodes.length, capacity: 0, terraform: 0 },
  };
  const jobId = `dr-${ctx.deps.newId()}`;
  const key = `job:${jobId}`;
  await postOwned(ctx, key, driftMessage(ctx.fleet, report, { pending: `capacity over SSH and Terraform plans (${jobId})` }));
  await ctx.deps.queue.enqueue('drift', jobId, { v: 1, ...(env ? { env } : {}), report: { key, conversation: conversationOf(ctx) } });
}
