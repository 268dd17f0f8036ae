import { newApprovalRequest } from '../../approval/approval.ts';
import { atLeast } from '../../policy/roles.ts';
import { approvalMessage } from '../../render/approval.message.ts';
import { noteMessage } from '../../render/basic.messages.ts';
import { planChange, type ChangePlan } from '../change-plan.ts';
import type { HandlerContext } from '../context.ts';
import { assertCanChange } from './lock.handler.ts';
import { postOwned } from '../owned-message.ts';
import { startChangeJob } from '../start-job.ts';

/**
 * `upgrade`, `provision`, `decommission`: plan, refuse if frozen or locked, then either ask for
 * approval (per the environment's policy) or start the job.
 */
export async function changeHandler(ctx: HandlerContext): Promise<void> {
  await requestChange(ctx, await planChange(ctx.command, ctx.fleet, ctx.deps));
}

/**
 * A planned change (an upgrade, a rollback): refuse if frozen or locked, then ask for approval per the
 * environment's policy, or start the job with the plan shown in its message.
 */
export async function requestChange(ctx: HandlerContext, plan: ChangePlan): Promise<void> {
  await assertCanChange(ctx, plan.env, plan.group);
  if (plan.empty) {
    await ctx.respond(noteMessage(plan.emptyReason ?? `Nothing to do: every target in ${plan.env}/${plan.group} already runs that version.`, 'ok'));
    return;
  }
  const policy = ctx.fleet.environments[plan.env]!.approval;
  const dryRun = ctx.command.values['dry-run'] === true;
  const waived = plan.kind === 'rollback' && policy.rollback === 'waive';
  if (policy.required === 0 || dryRun || waived) {
    // Slack and Discord delivery ids are unique per request, so a retried delivery maps to the same job.
    const seed = plan.idSeed ?? (ctx.event.deliveryId && ctx.event.actor.platform !== 'console' ? `${ctx.event.actor.platform}:${ctx.event.deliveryId}` : undefined);
    await startChangeJob(ctx, plan, { ...(seed ? { idSeed: seed } : {}), requestedBy: ctx.who, approvedBy: [], viaApproval: false, sayIfExisting: plan.idSeed !== undefined });
    return;
  }
  const now = ctx.deps.clock.now();
  const id = `ap-${ctx.deps.newId()}`;
  const request = newApprovalRequest({ id, env: plan.env, command: ctx.command.canonical, planHash: plan.hash, job: { queue: plan.queue, jobId: '', data: null }, requestedBy: ctx.who, policy, now, summary: plan.summary });
  await ctx.deps.state.createApproval(request);
  await ctx.deps.audit.append({ at: now, actor: ctx.who, action: 'approval.request', detail: `${id} ${ctx.command.canonical}`, outcome: 'pending', ref: id });
  const canApproveSelf = policy.self_approval && atLeast(ctx.role, policy.approver_role);
  const note = canApproveSelf ? undefined : 'You cannot approve your own request; ask someone with the approver role.';
  await postOwned(ctx, `approval:${id}`, approvalMessage(request, plan.summary, note));
}
