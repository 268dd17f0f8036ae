import type { WorkerDeps } from '../worker-deps.ts';

export type PlanCheck = { ok: true } | { ok: false; why: string };

/**
 * The one resume check of a change (first start, retry, takeover after a crash, resume): the plan as
 * recomputed now must hash to the approved hash, and the approval (where there is one) must still be
 * approved, for that hash, and unexpired. Anything else needs a new approval.
 */
export async function approvedPlanStill(deps: WorkerDeps, p: { approvedHash: string; hashNow: string; approvalId?: string | undefined; what: string }): Promise<PlanCheck> {
  if (p.hashNow !== p.approvedHash) {
    return { ok: false, why: `the plan changed since it was approved (${p.what}) — nothing was changed; a new approval is needed: request the change again` };
  }
  if (!p.approvalId) return { ok: true };
  const approval = await deps.state.getApproval(p.approvalId);
  if (!approval || approval.status !== 'approved' || approval.planHash !== p.approvedHash) {
    return { ok: false, why: `approval ${p.approvalId} is ${approval ? approval.status : 'gone'} for this plan — a new approval is needed: request the change again` };
  }
  if (deps.clock.now() > approval.expiresAt) {
    return { ok: false, why: `approval ${p.approvalId} expired at ${new Date(approval.expiresAt).toISOString()} — a new approval is needed: request the change again` };
  }
  return { ok: true };
}
