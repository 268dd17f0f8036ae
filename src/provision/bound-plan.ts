import { z } from 'zod';
import type { ApprovalRequest } from '../approval/approval.ts';
import type { Block } from '../chat/message.ts';
import { groupName } from '../fleet/names.ts';
import type { ChangePlan } from '../pipeline/change-plan.ts';

/**
 * What a provisioning job stores in `ApprovalRequest.job.data` when it asks for approval of a saved
 * Terraform plan: the apply job to start, the summary approvers saw, and the group it locks.
 */
export const terraformApprovalData = z.object({
  terraform: z.object({
    prefix: z.enum(['pv', 'dc']),
    group: groupName,
    summary: z.array(z.looseObject({ type: z.string() })).max(50),
    job: z.record(z.string(), z.unknown()),
  }),
});
export type TerraformApprovalData = z.infer<typeof terraformApprovalData>;

/**
 * The change an approval of a saved Terraform plan stands for. Its hash is the plan hash itself:
 * the bot cannot re-plan (Terraform runs in workers), so the apply job re-checks that the saved plan
 * and a fresh plan still hash the same before it applies, and voids the approval otherwise.
 * Undefined for approvals of other kinds (they are re-planned by `planChange`).
 */
export function boundPlan(req: ApprovalRequest): ChangePlan | undefined {
  if (req.job.queue !== 'provision') return undefined;
  const parsed = terraformApprovalData.safeParse(req.job.data);
  if (!parsed.success) return undefined;
  const t = parsed.data.terraform;
  return {
    kind: t.prefix === 'pv' ? 'provision' : 'decommission',
    env: req.env,
    group: t.group,
    hash: req.planHash,
    queue: 'provision',
    prefix: t.prefix,
    data: t.job,
    summary: t.summary as Block[],
    empty: false,
  };
}
