import { newApprovalRequest, type ApprovalRequest } from '../../src/approval/approval.ts';
import type { Block } from '../../src/chat/message.ts';
import { canonical } from '../../src/command/parse.ts';
import { specOf } from '../../src/command/grammar.ts';
import { terraformApprovalData, type TerraformApprovalData } from '../../src/provision/bound-plan.ts';
import type { SavedPlan } from '../../src/provision/terraform.port.ts';
import { approvalMessage } from '../../src/render/approval.message.ts';
import type { ChangeSpec } from './change-spec.ts';
import type { TfJob } from './tf-job.ts';

/** The command this job stands for, as the requester would type it (shown to approvers). */
export function commandOf(t: TfJob): string {
  if (t.data.kind === 'provision') return canonical(specOf('provision'), { group: t.group, env: t.env, count: t.data.count });
  return canonical(specOf('decommission'), { node: t.data.node });
}

/**
 * Ask for approval of this saved plan: an ApprovalRequest whose plan hash is the Terraform plan's
 * hash, carrying the apply job to start, posted with Approve/Reject in the job's conversation.
 */
export async function askApproval(t: TfJob, saved: SavedPlan, spec: ChangeSpec, summary: Block[], note?: string): Promise<string> {
  const { deps, pd, fleet, env } = t;
  const policy = fleet.environments[env]!.approval;
  const now = deps.clock.now();
  const id = `ap-${pd.newId()}`;
  const plan = { id: t.job.id, hash: saved.hash, approvalId: id };
  const job = t.data.kind === 'provision'
    ? { kind: 'provision', phase: 'apply', env, group: t.group, count: t.data.count, nodes: spec.created, plan }
    : { kind: 'decommission', phase: 'apply', env, group: t.group, node: t.data.node, plan };
  const data: TerraformApprovalData = { terraform: { prefix: t.data.kind === 'provision' ? 'pv' : 'dc', group: t.group, summary: summary as TerraformApprovalData['terraform']['summary'], job } };
  const request = newApprovalRequest({ id, env, command: commandOf(t), planHash: saved.hash, job: { queue: 'provision', jobId: '', data }, requestedBy: t.data.requestedBy, policy, now });
  await deps.state.createApproval(request);
  await deps.audit.append({ at: now, actor: t.data.requestedBy, action: 'approval.request', detail: `${id} ${request.command} (terraform plan ${saved.hash.slice(0, 12)})`, outcome: 'pending', ref: id });
  await deps.outbox.publish({
    op: 'upsert',
    key: `approval:${id}`,
    conversation: t.data.report.conversation,
    message: approvalMessage(request, summary, note ?? `Approving applies exactly this saved plan (${saved.hash.slice(0, 12)}); if the plan changes before it runs, the approval is void and the new plan is shown here.`),
  });
  return id;
}

/** Mark an approval void (stored as `expired`) and say why on its message. Best effort under concurrent edits. */
export async function voidApproval(t: TfJob, approvalId: string, why: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const req = await t.deps.state.getApproval(approvalId);
    if (!req) return;
    const next: ApprovalRequest = { ...req, status: 'expired', rev: req.rev + 1 };
    if (!(await t.deps.state.saveApproval(next, req.rev))) continue;
    const summary = terraformApprovalData.safeParse(req.job.data);
    await t.deps.audit.append({ at: t.deps.clock.now(), actor: 'system', action: 'approval.void', detail: `${approvalId}: ${why}`, outcome: 'refused', ref: approvalId });
    await t.deps.outbox.publish({
      op: 'upsert',
      key: `approval:${approvalId}`,
      conversation: t.data.report.conversation,
      message: approvalMessage(next, summary.success ? (summary.data.terraform.summary as Block[]) : [], `void: ${why}`),
    });
    return;
  }
}
