import { requireEnv } from '../../fleet/fleet.lookup.ts';
import { gitopsOf } from '../../gitops/gitops.deps.ts';
import { buildDriftReport, capacityOf } from '../../inventory/drift-report.ts';
import type { HostSnapshot } from '../../ports/ssh.port.ts';
import { ago } from '../../render/basic.messages.ts';
import { driftMessage } from '../../render/drift.message.ts';
import { str, type HandlerContext } from '../context.ts';
import { freshSnapshots } from '../fresh-snapshots.ts';

/**
 * `drift [--env]`, a table per group of what differs from the fleet file: version (RPC-reported vs
 * desired, checked now when snapshots are stale), capacity (host facts over SSH vs the group's
 * shape, as last gathered) and count (the last Terraform plan of each managed group not empty).
 * Read-only: the worker's schedules and `/chainops plan` refresh host facts and plans.
 */
export async function driftHandler(ctx: HandlerContext): Promise<void> {
  const env = str(ctx, 'env');
  if (env) requireEnv(ctx.fleet, env);
  const envs = env ? [env] : Object.keys(ctx.fleet.environments);
  const nodes = ctx.fleet.nodes.filter((n) => envs.includes(n.env));
  // Host facts as last gathered (snapshot or the drift job's copy, the newer wins) — read before an
  // on-demand RPC check replaces stale snapshots.
  const logged = (await gitopsOf(ctx.deps)?.factsLog?.all()) ?? new Map<string, HostSnapshot>();
  const hosts = new Map<string, HostSnapshot>(logged);
  for (const s of await ctx.deps.state.getSnapshots(nodes.map((n) => n.name))) {
    if (s.host && (!hosts.has(s.node) || hosts.get(s.node)!.at < s.host.at)) hosts.set(s.node, s.host);
  }
  const snaps = new Map((await freshSnapshots(ctx, nodes)).map((s) => [s.node, s]));
  const now = ctx.deps.clock.now();
  const plans = (await gitopsOf(ctx.deps)?.planLog?.all()) ?? [];
  const report = buildDriftReport(
    ctx.fleet,
    envs,
    snaps,
    (n) => {
      const fresh = snaps.get(n.name)?.host;
      const kept = hosts.get(n.name);
      const host = fresh && (!kept || fresh.at >= kept.at) ? fresh : kept;
      if (host?.facts) return { facts: capacityOf(host.facts) };
      return { note: host?.error ? `facts unavailable: ${host.error.slice(0, 80)}` : 'host facts not gathered yet' };
    },
    plans.map((p) => ({ env: p.env, group: p.group, ...(p.plan ? { plan: `${p.plan} (planned ${ago(now - p.at)})` } : {}), ...(p.error ? { error: p.error } : {}) })),
  );
  const oldest = plans.length ? Math.min(...plans.map((p) => p.at)) : undefined;
  await ctx.respond(driftMessage(ctx.fleet, report, { ...(oldest !== undefined ? { note: `Terraform plans as of ${ago(now - oldest)} — \`/chainops plan\` re-plans` } : {}) }));
}
