import { UserError, errorMessage } from '../../errors.ts';
import { gitopsOf } from '../../gitops/gitops.deps.ts';
import { lookAtSource, syncLookMessage } from '../../gitops/sync-preview.ts';
import { samePerson } from '../../policy/identities.ts';
import { noteMessage } from '../../render/basic.messages.ts';
import { syncAppliedMessage } from '../../render/sync.message.ts';
import { str, type HandlerContext } from '../context.ts';

const REV_RE = /^[0-9a-f]{12}$/;

/**
 * `sync [preview]` pulls the fleet file from its source (git repository or the file on disk),
 * validates it, and shows what would change in desired state. `sync apply <rev>` (admin) puts that
 * exact revision in force for every replica. An invalid file is refused with its problems and the
 * running config stays in force.
 */
export async function syncHandler(ctx: HandlerContext): Promise<void> {
  const g = gitopsOf(ctx.deps);
  if (!g) throw new UserError('not_found', 'sync is not available in this process — it needs the bot or console role (CHAINOPS_FLEET_GIT names the repository)');
  const applying = str(ctx, 'action') === 'apply';
  const wanted = str(ctx, 'rev');
  if (applying && (!wanted || !REV_RE.test(wanted))) {
    throw new UserError('parse_error', 'say which revision to put in force: `/chainops sync apply <rev>` with the 12-character revision the preview showed');
  }
  let look;
  try {
    look = await lookAtSource(g);
  } catch (err) {
    throw new UserError('unavailable', `could not pull the fleet file from ${g.source.describe()}: ${errorMessage(err)} — the running config is unchanged`);
  }
  const { fetched, current } = look;
  if (look.kind === 'invalid') {
    await ctx.deps.audit.append({ at: ctx.deps.clock.now(), actor: ctx.who, action: 'fleet.sync', detail: `${fetched.rev} refused: ${look.problems.length} problems`, outcome: 'refused' });
    await ctx.respond(syncLookMessage(g, look));
    return;
  }
  // The same preview the GitOps push announcer posts by itself (src/gitops/push-announcer.ts).
  if (!applying) return void (await ctx.respond(syncLookMessage(g, look)));
  if (fetched.rev !== wanted) {
    throw new UserError('conflict', `the source moved on: it is now at ${fetched.rev}, not ${wanted} — run \`/chainops sync\` to see what changed, then apply that revision`);
  }
  if (fetched.rev === current) {
    await ctx.respond(noteMessage(`${current} is already in force.`, 'ok'));
    return;
  }
  // A new revision that changes nothing in desired state (comments, formatting) goes in force like any other.
  const weak = look.kind === 'changed' ? look.weak : [];
  const changes = look.kind === 'changed' ? look.changes : [];
  if (weak.length && !(await secondAdmin(ctx, fetched.rev, weak))) return;
  await g.view.accept({ text: fetched.text, rev: fetched.rev, ...(fetched.commit ? { commit: fetched.commit } : {}), by: ctx.who });
  await ctx.deps.audit.append({ at: ctx.deps.clock.now(), actor: ctx.who, action: 'fleet.sync', detail: `${current} → ${fetched.rev}${fetched.commit ? ` (${fetched.commit.slice(0, 12)})` : ''}: ${changes.length} changes`, outcome: 'ok' });
  await ctx.respond(syncAppliedMessage({ rev: fetched.rev, ...(fetched.commit ? { commit: fetched.commit } : {}), by: ctx.who, changes }));
}

const COSIGN_MS = 3_600_000;

/**
 * A revision that widens roles or weakens approvals goes in force only when a second admin (another
 * person, linked identities counted once) applies it within an hour of the first. True when this
 * apply is that second one.
 */
async function secondAdmin(ctx: HandlerContext, rev: string, weak: string[]): Promise<boolean> {
  const g = gitopsOf(ctx.deps)!;
  const now = ctx.deps.clock.now();
  const first = await g.view.firstApply(rev);
  if (first && now - first.at <= COSIGN_MS && !samePerson(ctx.fleet, first.by, ctx.who)) {
    await g.view.setFirstApply(rev, undefined);
    return true;
  }
  if (first && now - first.at <= COSIGN_MS) {
    await ctx.respond(noteMessage(`You already applied ${rev} once; it widens access or weakens approvals, so a different admin must apply it too: \`/chainops sync apply ${rev}\`.`, 'warn'));
    return false;
  }
  await g.view.setFirstApply(rev, { by: ctx.who, at: now });
  await ctx.deps.audit.append({ at: now, actor: ctx.who, action: 'fleet.sync', detail: `${rev} applied once, waiting for a second admin: ${weak.join('; ')}`.slice(0, 500), outcome: 'pending' });
  await ctx.respond(noteMessage(`${rev} is not in force yet: it ${weak.join('; ')}. A second admin must apply it too within 1h: \`/chainops sync apply ${rev}\`.`, 'warn'));
  return false;
}
