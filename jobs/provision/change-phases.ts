import { existsSync } from 'node:fs';
import type { Block } from '../../src/chat/message.ts';
import { terraformApprovalData } from '../../src/provision/bound-plan.ts';
import { UnrecoverableError } from 'bullmq';
import { countsText } from '../../src/provision/plan-summary.ts';
import { tfVarsFor } from '../../src/provision/tf-settings.ts';
import type { SavedPlan } from '../../src/provision/terraform.port.ts';
import { planBlocks } from '../../src/render/provision.message.ts';
import { applyAndFinish, type AppliedResult } from './apply-step.ts';
import { askApproval, voidApproval } from './approval-step.ts';
import { changeSpec, type ChangeSpec } from './change-spec.ts';
import { lineSink, planFileOf, type TfJob } from './tf-job.ts';
import { approvedPlanStill } from '../change-runner/approved-plan.ts';

export type PhaseResult =
  | AppliedResult
  | { applied: false; reason: 'awaiting_approval' | 'voided' | 'empty' | 'dry_run'; approvalId?: string; planHash?: string; summary?: string };

/** Plan the change into this job's saved plan file. */
async function planNow(t: TfJob, spec: ChangeSpec): Promise<SavedPlan> {
  await t.tf.init(t.dir, lineSink(t));
  return t.tf.plan({
    dir: t.dir,
    vars: tfVarsFor(t.fleet, t.env, t.group, spec.desired),
    planFile: planFileOf(t.planDir, t.job.id),
    ...(spec.destroyTargets ? { destroyTargets: spec.destroyTargets } : {}),
    onLine: lineSink(t),
  });
}

function summaryOf(t: TfJob, saved: SavedPlan, spec: ChangeSpec) {
  const context = spec.created.length ? `new nodes: ${spec.created.join(', ')} · workspace ${t.dir.workspace}` : spec.removed ? `destroys ${spec.removed} only (-target) · workspace ${t.dir.workspace}` : `workspace ${t.dir.workspace}`;
  return planBlocks(saved.summary, { hash: saved.hash, context });
}

/**
 * Plan phase: plan and save. Where the environment needs approval, post the plan with Approve/Reject
 * bound to its hash and stop; otherwise apply this saved plan now.
 */
export async function planPhase(t: TfJob): Promise<PhaseResult> {
  await t.reporter.status(`planning in workspace ${t.dir.workspace}`);
  const spec = await changeSpec(t);
  const saved = await planNow(t, spec);
  const summary = summaryOf(t, saved, spec);
  await t.reporter.status(`planned: ${countsText(saved.summary)}`, { summary });
  if (saved.summary.empty) {
    await t.reporter.status('nothing to change — the plan is empty', { severity: 'ok', final: true });
    return { applied: false, reason: 'empty', planHash: saved.hash };
  }
  if (t.data.kind === 'decommission' && t.data.dryRun) {
    // The plan above is the whole dry run: no approval is asked, nothing is applied.
    await t.reporter.status(`dry run: planned ${countsText(saved.summary)} — nothing was destroyed or changed`, { severity: 'ok', final: true });
    return { applied: false, reason: 'dry_run', planHash: saved.hash, summary: countsText(saved.summary) };
  }
  if (t.fleet.environments[t.env]!.approval.required > 0) {
    const approvalId = await askApproval(t, saved, spec, summary);
    await t.reporter.status(`planned: ${countsText(saved.summary)} — waiting for approval ${approvalId}; nothing applied yet`, { severity: 'warn', final: true });
    return { applied: false, reason: 'awaiting_approval', approvalId, planHash: saved.hash, summary: countsText(saved.summary) };
  }
  return applyAndFinish(t, saved, spec);
}

/**
 * Apply phase (after approval): apply the approved saved plan only if the file still hashes as
 * approved and a fresh plan of the same change hashes the same. Otherwise the approval is void, and
 * the fresh plan is posted for approval in its place.
 */
export async function applyPhase(t: TfJob): Promise<PhaseResult> {
  const ref = t.data.plan;
  if (!ref?.approvalId) throw new UnrecoverableError(`${t.job.id} names no approved plan — apply jobs are started by an approval`);
  // The change runner's one resume check: approved, for this saved plan's hash, and unexpired. The
  // saved file and a fresh plan are compared with that hash below.
  const check = await approvedPlanStill(t.deps, { approvedHash: ref.hash, hashNow: ref.hash, approvalId: ref.approvalId, what: 'the saved Terraform plan' });
  if (!check.ok) throw new UnrecoverableError(`plan ${ref.hash.slice(0, 12)}: ${check.why}; nothing was applied`);
  const approval = (await t.deps.state.getApproval(ref.approvalId))!;
  // The job's message keeps showing the plan that was approved while it is checked and applied.
  const approved = terraformApprovalData.safeParse(approval.job.data);
  await t.reporter.status(`checking approved plan ${ref.hash.slice(0, 12)}`, approved.success ? { summary: approved.data.terraform.summary as Block[] } : {});
  const file = planFileOf(t.planDir, ref.id);
  const spec = await changeSpec(t);
  const reject = async (why: string, fresh?: SavedPlan): Promise<PhaseResult> => {
    await voidApproval(t, ref.approvalId!, `${why} — nothing was applied`);
    const next = fresh ?? (await planNow(t, spec));
    if (next.summary.empty) {
      await t.reporter.status(`not applied: ${why}; the new plan is empty, so there is nothing left to approve`, { severity: 'warn', final: true });
      return { applied: false, reason: 'voided', planHash: next.hash };
    }
    const summary = summaryOf(t, next, spec);
    const approvalId = await askApproval(t, next, spec, summary, `Re-planned because ${why}; approval ${ref.approvalId} was void.`);
    await t.reporter.status(`not applied: ${why} — approval ${ref.approvalId} is void; the new plan waits for approval ${approvalId}`, { summary, severity: 'warn', final: true });
    return { applied: false, reason: 'voided', approvalId, planHash: next.hash, summary: countsText(next.summary) };
  };
  if (!existsSync(file)) return reject('the approved plan file is gone (plan_dir must be shared by all provision workers)');
  await t.tf.init(t.dir, lineSink(t));
  const stored = await t.tf.showPlan(t.dir, file);
  if (stored.hash !== ref.hash) return reject('the saved plan file no longer matches the approved plan');
  const fresh = await planNow(t, spec);
  if (fresh.hash !== ref.hash) return reject(`the plan changed since it was approved (now ${countsText(fresh.summary)})`, fresh);
  await t.reporter.step(`approved plan ${ref.hash.slice(0, 12)} still matches a fresh plan`);
  return applyAndFinish(t, stored, spec);
}
