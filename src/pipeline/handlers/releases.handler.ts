import { UserError } from '../../errors.ts';
import { requireGroup } from '../../fleet/fleet.lookup.ts';
import { sourceLabel } from '../../releases/release-filter.ts';
import { releaseKey, releaseTargets } from '../../releases/release-targets.ts';
import { releasePost } from '../../releases/release-watch.ts';
import { noteMessage } from '../../render/basic.messages.ts';
import { releasesListMessage, type ReleaseListGroup } from '../../render/release.message.ts';
import { str, type HandlerContext } from '../context.ts';

/**
 * `releases [group]` lists what the release watch knows per group; `releases ignore <group> <version>`
 * (operator) stops offering a version: the watch never announces it and its post loses its buttons.
 */
export async function releasesHandler(ctx: HandlerContext): Promise<void> {
  const store = ctx.deps.releases;
  if (!store) throw new UserError('not_found', 'the release watch is not set up in this process (it needs Redis); run the bot with a worker');
  const group = str(ctx, 'group');
  if (str(ctx, 'action') === 'ignore') {
    const version = str(ctx, 'version');
    if (!group || !version) throw new UserError('parse_error', 'say which version: `/chainops releases ignore <group> <version>`');
    requireGroup(ctx.fleet, group);
    const added = await store.ignore(group, version);
    await ctx.deps.audit.append({ at: ctx.deps.clock.now(), actor: ctx.who, action: 'release.ignore', detail: `${group} ${version}`, outcome: 'ok' });
    if (added) await markPostIgnored(ctx, group, version);
    await ctx.respond(noteMessage(added ? `${group} ${version} is ignored: it will not be offered again (\`/chainops releases ${group}\` still lists it).` : `${group} ${version} was already ignored.`, 'ok'));
    return;
  }
  if (group) requireGroup(ctx.fleet, group);
  const names = group ? [group] : Object.keys(ctx.fleet.groups);
  const snaps = await ctx.deps.state.getSnapshots(ctx.fleet.nodes.filter((n) => names.includes(n.group)).map((n) => n.name));
  const rows: ReleaseListGroup[] = [];
  for (const name of names) {
    const g = ctx.fleet.groups[name]!;
    const running: Record<string, string[]> = {};
    for (const s of snaps) if (s.group === name && s.version) (running[s.env] ??= []).push(s.version);
    if (!g.releases) {
      rows.push({ group: name, releases: [], ignored: [], desired: g.desired_version, running });
      continue;
    }
    const [known, ignored] = await Promise.all([store.get(name), store.ignored(name)]);
    const filters = `range ${g.releases.range} · pre-releases ${g.releases.prereleases ? 'on' : 'off'}`;
    rows.push({
      group: name, source: `${sourceLabel(g.releases)} · ${filters}`, releases: known?.releases ?? [], ignored, desired: g.desired_version, running,
      ...(known?.polledAt ? { polledAt: known.polledAt } : {}), ...(known?.error ? { error: known.error } : {}), ...(known?.retryAt ? { retryAt: known.retryAt } : {}),
    });
  }
  await ctx.respond({ ...releasesListMessage(rows, ctx.deps.clock.now()), ephemeral: true });
}

/** Edit the version's post in place (when the watch knows it): say who ignored it, drop its buttons. */
async function markPostIgnored(ctx: HandlerContext, group: string, version: string): Promise<void> {
  const cfg = ctx.fleet.groups[group]?.releases;
  const release = cfg ? (await ctx.deps.releases?.get(group))?.releases.find((r) => r.version === version) : undefined;
  if (!cfg || !release) return;
  const message = await releasePost(ctx.fleet, ctx.deps.state, group, cfg, release, ctx.who);
  for (const [i, conversation] of releaseTargets(ctx.fleet, group).entries()) {
    // Only posts that exist are edited: an upsert of a never-posted key would post it now.
    if (!(await ctx.deps.state.getMessageRef(releaseKey(group, version, conversation, i)))) continue;
    await ctx.deps.outbox.publish({ op: 'upsert', key: releaseKey(group, version, conversation, i), conversation, message });
  }
}
