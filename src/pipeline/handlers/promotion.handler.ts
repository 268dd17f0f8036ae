import { UserError } from '../../errors.ts';
import { requireGroup } from '../../fleet/fleet.lookup.ts';
import { promotionsOf, startPromotion } from '../../promotion/start-promotion.ts';
import { PROMOTION_TERMINAL, type PromotionRecord } from '../../promotion/promotion.record.ts';
import { noteMessage } from '../../render/basic.messages.ts';
import { promotionListMessage } from '../../render/promotion.message.ts';
import { str, type HandlerContext } from '../context.ts';
import { postOwned } from '../owned-message.ts';

/** `promotion status [group]`, `promotion start <group> <version>`, `promotion pause|resume|abort <group>`. */
export async function promotionHandler(ctx: HandlerContext): Promise<void> {
  const action = str(ctx, 'action')!;
  const group = str(ctx, 'group');
  if (action === 'status') return status(ctx, group);
  if (!group) throw new UserError('parse_error', `say which group: \`/chainops promotion ${action} <group>${action === 'start' ? ' <version>' : ''}\``);
  requireGroup(ctx.fleet, group);
  if (action === 'start') {
    const version = str(ctx, 'version');
    if (!version) throw new UserError('parse_error', `say which version: \`/chainops promotion start ${group} <version>\``);
    // Slack and Discord delivery ids are unique per request: a retried delivery finds the same promotion.
    const seed = ctx.event.deliveryId && ctx.actor.platform !== 'console' ? `${ctx.actor.platform}:${ctx.event.deliveryId}` : undefined;
    const { rec, created } = await startPromotion(ctx.deps, { group, version, startedBy: ctx.who, starterRole: ctx.role, via: 'manual', conversation: ctx.event.conversation, seed },
      (key, message) => postOwned(ctx, key, message));
    if (!created) await ctx.respond(noteMessage(`That promotion is already under way as ${rec.id}; nothing more was started.`));
    return;
  }
  const store = promotionsOf(ctx.deps);
  const id = await store.activeId(group);
  const rec = id ? await store.get(id) : undefined;
  if (!rec || PROMOTION_TERMINAL.has(rec.status)) throw new UserError('not_found', `${group} has no promotion under way — see \`/chainops promotion status ${group}\``);
  const waitingForResume = rec.stages[rec.stage]?.state === 'waiting-resume';
  if (action === 'pause' && rec.status === 'paused') return void (await ctx.respond(noteMessage(`${rec.id} is already paused; \`/chainops promotion resume ${group}\` goes on.`)));
  if (action === 'resume' && rec.status === 'running' && !waitingForResume) return void (await ctx.respond(noteMessage(`${rec.id} is running; nothing to resume.`)));
  const now = ctx.deps.clock.now();
  await store.requestControl(rec.id, { action: action as 'pause' | 'resume' | 'abort', by: ctx.who, at: now });
  // A tick now rather than at the next poll: the request takes effect within seconds.
  await ctx.deps.queue.enqueue('promotion', `pn-${rec.id.replace(/^pr-/, '')}-${ctx.deps.newId()}`, { v: 1, promotionId: rec.id });
  await ctx.deps.audit.append({ at: now, actor: ctx.who, action: `promotion.${action}`, detail: `${rec.id} ${group} → ${rec.version}`, outcome: 'ok', ref: rec.id });
  const what = action === 'pause'
    ? 'pauses: no stage starts or advances until resumed (a rollout in progress pauses at its next node boundary)'
    : action === 'resume' ? (waitingForResume && rec.status === 'running' ? `releases its ${rec.stages[rec.stage]!.env} stage` : 'resumes') : 'aborts: no further stage starts; a rollout in progress stops after its current node';
  await ctx.respond(noteMessage(`${rec.id} (${group} → ${rec.version}) ${what}. Its thread shows each step.`, action === 'abort' ? 'warn' : 'ok'));
}

async function status(ctx: HandlerContext, group: string | undefined): Promise<void> {
  const store = promotionsOf(ctx.deps);
  if (group) requireGroup(ctx.fleet, group);
  const recent = (await store.list(50)).filter((r) => !group || r.group === group);
  // Per group: the one under way, else the latest.
  const byGroup = new Map<string, PromotionRecord>();
  for (const r of recent) {
    const seen = byGroup.get(r.group);
    if (!seen || (PROMOTION_TERMINAL.has(seen.status) && !PROMOTION_TERMINAL.has(r.status))) byGroup.set(r.group, r);
  }
  await ctx.respond(promotionListMessage([...byGroup.values()], ctx.deps.clock.now()));
}
