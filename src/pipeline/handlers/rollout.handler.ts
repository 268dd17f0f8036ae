import { UserError } from '../../errors.ts';
import { noteMessage } from '../../render/basic.messages.ts';
import { rolloutMessage } from '../../render/rollout.message.ts';
import { TERMINAL, type RolloutRecord } from '../../rollout/rollout.record.ts';
import { planChange } from '../change-plan.ts';
import { requestChange } from './change.handler.ts';
import { lockKey } from '../../policy/locks.ts';
import { str, type HandlerContext } from '../context.ts';
import { assertCanChange } from './lock.handler.ts';

/** `rollout status|pause|resume|abort|rollback|retry [id]` (the latest rollout when no id is given). */
export async function rolloutHandler(ctx: HandlerContext): Promise<void> {
  const action = str(ctx, 'action')!;
  // A rollback is a change like any other: planned from what the nodes run now, approved per policy.
  if (action === 'rollback') return rollback(ctx);
  const rec = await findRollout(ctx, str(ctx, 'id'));
  switch (action) {
    case 'status':
      await ctx.respond({ ...rolloutMessage(rec), ephemeral: true });
      return;
    case 'pause':
    case 'resume':
    case 'abort':
      return control(ctx, rec, action);
    case 'retry':
      return retry(ctx, rec);
    default:
      throw new UserError('parse_error', `unknown rollout action \`${action}\``);
  }
}

async function findRollout(ctx: HandlerContext, id: string | undefined): Promise<RolloutRecord> {
  if (id) {
    const rec = await ctx.deps.rollouts.get(id);
    if (!rec) throw new UserError('not_found', `no rollout \`${id}\` — see \`/chainops jobs\``);
    return rec;
  }
  const [latest] = await ctx.deps.rollouts.list(1);
  if (!latest) throw new UserError('not_found', 'no rollout has run yet');
  return latest;
}

async function control(ctx: HandlerContext, rec: RolloutRecord, action: 'pause' | 'resume' | 'abort'): Promise<void> {
  const now = ctx.deps.clock.now();
  if (action === 'abort' && (rec.status === 'halted' || rec.status === 'failed')) {
    // Nothing runs: closing it is a state change the worker would never make.
    await ctx.deps.rollouts.save({ ...rec, status: 'aborted', reason: `closed by ${ctx.who} after it halted`, updatedAt: now, endedAt: now });
    await audit(ctx, `rollout.abort`, rec.id);
    await ctx.deps.outbox.publish({ op: 'upsert', key: rec.reportKey, conversation: rec.conversation, message: rolloutMessage({ ...rec, status: 'aborted', reason: `closed by ${ctx.who}` }) });
    await ctx.respond(noteMessage(`${rec.id} closed; nodes stay as they are. \`/chainops rollout rollback ${rec.id}\` restores the previous version.`, 'ok'));
    return;
  }
  if (TERMINAL.has(rec.status)) throw new UserError('conflict', `${rec.id} has already ended (${rec.status}) — nothing to ${action}`);
  if (action === 'resume' && rec.status !== 'paused') throw new UserError('conflict', `${rec.id} is ${rec.status}, not paused`);
  await ctx.deps.rollouts.requestControl(rec.id, action, ctx.who, now);
  if (action === 'abort' && !(await ctx.deps.state.getLock(lockKey(rec.env, rec.group)))?.holder.startsWith(`${rec.id}/`)) {
    // No execution holds its lock (its job is dead or still queued): close it here. The largest
    // fencing token keeps any later execution of it from writing over this (it stops at its next checkpoint).
    await ctx.deps.rollouts.saveFenced({ ...rec, status: 'aborted', reason: `aborted by ${ctx.who} (no worker was running it)`, updatedAt: now, endedAt: now }, Number.MAX_SAFE_INTEGER);
    await audit(ctx, 'rollout.abort', rec.id);
    await ctx.deps.outbox.publish({ op: 'upsert', key: rec.reportKey, conversation: rec.conversation, message: rolloutMessage({ ...rec, status: 'aborted', reason: `aborted by ${ctx.who}` }) });
    await ctx.respond(noteMessage(`${rec.id} aborted: no worker was running it; nodes stay as they are.`, 'ok'));
    return;
  }
  await audit(ctx, `rollout.${action}`, rec.id);
  const when = action === 'resume' ? 'now' : 'after the node in progress (a running playbook is never cut off half-way)';
  await ctx.respond(noteMessage(`${action === 'pause' ? 'Pausing' : action === 'resume' ? 'Resuming' : 'Aborting'} ${rec.id} ${when}.`, 'ok'));
}

/** `rollout rollback <id>`: the id is required (a bare rollback would act on whatever ran last). */
async function rollback(ctx: HandlerContext): Promise<void> {
  if (!str(ctx, 'id')) {
    const recent = (await ctx.deps.rollouts.list(5)).filter((r) => r.kind === 'upgrade' && !r.dryRun);
    const list = recent.map((r) => `${r.id} (${r.env}/${r.group} → ${r.version}, ${r.status})`).join(', ');
    throw new UserError('parse_error', `say which rollout to roll back: \`/chainops rollout rollback <id>\`${list ? ` — recent: ${list}` : ' — no rollout has run yet'}`);
  }
  await requestChange(ctx, await planChange(ctx.command, ctx.fleet, ctx.deps));
}

async function retry(ctx: HandlerContext, rec: RolloutRecord): Promise<void> {
  if (rec.status !== 'halted' && rec.status !== 'failed') throw new UserError('conflict', `${rec.id} is ${rec.status}; only a halted rollout can be retried`);
  await assertCanChange(ctx, rec.env, rec.group);
  // Same halted state → same job id, so a double click queues one retry.
  const id = `rt-${rec.id.slice(3)}${rec.updatedAt.toString(36)}`.slice(0, 35);
  const data = {
    v: 1, rolloutId: rec.id, mode: 'retry', ...(rec.rollbackOf ? { rollbackOf: rec.rollbackOf } : {}),
    env: rec.env, group: rec.group, version: rec.version, targets: rec.nodes.map((n) => n.name), waves: rec.waves,
    planHash: rec.planHash, requestedBy: ctx.who, approvedBy: rec.approvedBy, dryRun: false,
    report: { key: rec.reportKey, conversation: rec.conversation },
  };
  const { created } = await ctx.deps.queue.enqueue('upgrade', id, data);
  if (created) await audit(ctx, 'rollout.retry', `${rec.id} (${id})`);
  const failed = rec.nodes.filter((n) => n.state === 'failed').map((n) => n.name);
  await ctx.respond(noteMessage(created ? `Retrying ${rec.id} from ${failed.join(', ') || 'its checkpoint'}.` : `A retry of ${rec.id} is already queued.`, 'ok'));
}

async function audit(ctx: HandlerContext, action: string, detail: string): Promise<void> {
  await ctx.deps.audit.append({ at: ctx.deps.clock.now(), actor: ctx.who, action, detail, outcome: 'ok', ref: detail.split(' ')[0]! });
}
