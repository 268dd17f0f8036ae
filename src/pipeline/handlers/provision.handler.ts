import { UserError } from '../../errors.ts';
import { gitopsOf } from '../../gitops/gitops.deps.ts';
import { planChange } from '../change-plan.ts';
import type { HandlerContext } from '../context.ts';
import { startChangeJob } from '../start-job.ts';
import { assertCanChange } from './lock.handler.ts';

/**
 * `provision <group> [--count N] [--env E]` and `decommission <node>`: Terraform plans in a worker,
 * so this starts the plan job at once. The job posts the saved plan; where the environment needs
 * approval it posts Approve/Reject bound to that plan's hash and stops, and the approval starts the
 * apply job (see approval.handler.ts and jobs/provision).
 */
export async function provisionHandler(ctx: HandlerContext): Promise<void> {
  const plan = await planChange(ctx.command, ctx.fleet, ctx.deps);
  await assertCanChange(ctx, plan.env, plan.group);
  if (plan.kind === 'decommission') {
    const node = String(plan.data['node']);
    const view = gitopsOf(ctx.deps)?.view;
    if (view && !view.isTerraformNode(node)) {
      throw new UserError('conflict', `${node} is listed in the fleet file, not created by Terraform — remove it from the fleet file (\`/chainops sync\`) instead of decommissioning it`);
    }
  }
  const seed = ctx.event.deliveryId && ctx.event.actor.platform !== 'console' ? `${ctx.event.actor.platform}:${ctx.event.deliveryId}` : undefined;
  await startChangeJob(ctx, plan, { ...(seed ? { idSeed: seed } : {}), requestedBy: ctx.who, approvedBy: [], viaApproval: false });
}
