import type { ApprovalRequest } from '../../approval/approval.ts';
import { parseCommand } from '../../command/parse.ts';
import { UserError } from '../../errors.ts';
import type { Role } from '../../fleet/fleet.schema.ts';
import { atLeast } from '../../policy/roles.ts';
import { countPeople, samePerson } from '../../policy/identities.ts';
import { approvalMessage } from '../../render/approval.message.ts';
import { noteMessage } from '../../render/basic.messages.ts';
import { planChange, type ChangePlan } from '../change-plan.ts';
import { boundPlan } from '../../provision/bound-plan.ts';
import { str, type HandlerContext } from '../context.ts';
import { updateOwned } from '../owned-message.ts';
import { startChangeJob } from '../start-job.ts';

const MAX_CAS_RETRIES = 8;

/** `approve <id>` and `reject <id>` (also the Approve/Reject buttons). Safe under concurrent clicks. */
export async function approvalHandler(ctx: HandlerContext): Promise<void> {
  const id = str(ctx, 'id')!;
  const approving = ctx.command.verb === 'approve';
  for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
    const req = await ctx.deps.state.getApproval(id);
    if (!req) throw new UserError('not_found', `no approval \`${id}\` — it may have expired; see the request message for its id`);
    if (req.status !== 'pending') {
      await ctx.respond(noteMessage(`${id} is already ${req.status}; nothing changed.`, 'warn'));
      return;
    }
    const now = ctx.deps.clock.now();
    const plan = await currentPlan(ctx, req);
    let next: ApprovalRequest;
    let note: string | undefined;
    if (now > req.expiresAt) {
      next = { ...req, status: 'expired', rev: req.rev + 1 };
      note = `expired after ${Math.round((req.expiresAt - req.createdAt) / 60_000)}m — run \`${req.command}\` again`;
    } else if (approving && (!plan || plan.hash !== req.planHash)) {
      next = { ...req, status: 'expired', rev: req.rev + 1 };
      note = `the plan changed since it was requested (inventory, versions or playbook) — this approval is void; run \`${req.command}\` again to see the new plan`;
    } else if (approving) {
      refuseUnlessMayApprove(ctx, req);
      // A freeze refuses every change, including one requested before it and approved during it.
      const freeze = await ctx.deps.state.getFreeze(req.env);
      if (freeze) throw new UserError('frozen', `${req.env} is frozen by ${freeze.by} (${freeze.reason}) — ${id} stays pending; approve it after \`/chainops unfreeze ${req.env}\``);
      const approvals = [...req.approvals, ctx.who];
      // Counted per person: one person's linked Slack, Discord and console ids count once.
      next = { ...req, approvals, status: countPeople(ctx.fleet, approvals) >= req.required ? 'approved' : 'pending', rev: req.rev + 1 };
    } else {
      if (ctx.who !== req.requestedBy && !atLeast(ctx.role, req.approverRole as Role)) {
        throw new UserError('forbidden', `only the requester or someone with the ${req.approverRole} role can reject ${id}`);
      }
      const reason = str(ctx, 'reason');
      next = { ...req, status: 'rejected', rejectedBy: ctx.who, rev: req.rev + 1, ...(ctx.who === req.requestedBy ? { withdrawn: true } : {}) };
      note = reason ? `reason: ${reason}` : undefined;
    }
    if (!(await ctx.deps.state.saveApproval(next, req.rev))) continue; // someone else clicked at the same moment
    const action = approving ? 'approval.approve' : next.withdrawn ? 'approval.withdraw' : 'approval.reject';
    await ctx.deps.audit.append({ at: now, actor: ctx.who, action, detail: `${id} → ${next.status}${note ? ` (${note})` : ''}`, outcome: next.status === 'expired' ? 'refused' : 'ok', ref: id });
    await updateOwned(ctx, `approval:${id}`, approvalMessage(next, plan?.summary ?? req.summary ?? [], note));
    if (next.status === 'approved' && plan) {
      const jobId = await startChangeJob(ctx, plan, { idSeed: id, requestedBy: req.requestedBy, approvedBy: next.approvals, viaApproval: true });
      await ctx.respond(noteMessage(`Approved ${id}; started ${jobId}.`, 'ok'));
    } else if (next.status === 'expired') {
      await ctx.respond(noteMessage(`${id} ${note}`, 'warn'));
    } else {
      await ctx.respond(noteMessage(next.withdrawn ? `Withdrew your request ${id}; nothing will run.` : `${approving ? 'Approved' : 'Rejected'} ${id} (${next.status}).`, 'ok'));
    }
    return;
  }
  throw new UserError('conflict', `${id} is being decided by several people at once — look at the request message and try again if needed`);
}

function refuseUnlessMayApprove(ctx: HandlerContext, req: ApprovalRequest): void {
  if (!atLeast(ctx.role, req.approverRole as Role)) {
    throw new UserError('forbidden', `approving changes in ${req.env} needs the ${req.approverRole} role; you are ${ctx.role}`);
  }
  if (samePerson(ctx.fleet, ctx.who, req.requestedBy) && !req.selfApproval) {
    throw new UserError('forbidden', `you requested ${req.id}, so someone else must approve it (self-approval is off in ${req.env})`);
  }
  if (req.approvals.some((a) => samePerson(ctx.fleet, a, ctx.who))) {
    throw new UserError('conflict', `you already approved ${req.id} (under this or a linked identity); it needs another approver`);
  }
}

/** Re-plan the original command against the fleet as it is now; undefined if it no longer plans. */
async function currentPlan(ctx: HandlerContext, req: ApprovalRequest): Promise<ChangePlan | undefined> {
  // A saved Terraform plan is bound by its own hash; the apply job re-plans and voids it if it changed.
  const bound = boundPlan(req);
  if (bound) return bound;
  const parsed = parseCommand(req.command);
  if (!parsed.ok) return undefined;
  try {
    return await planChange(parsed.command, ctx.fleet, ctx.deps);
  } catch {
    return undefined;
  }
}
