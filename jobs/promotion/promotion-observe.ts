import { ACTIVE_STATES } from '../../src/alerts/alert.types.ts';
import type { CoreDeps } from '../../src/pipeline/deps.ts';
import { windowState } from '../../src/promotion/change-window.ts';
import type { PromotionConfig } from '../../src/promotion/promotion.schema.ts';
import type { PromotionRecord } from '../../src/promotion/promotion.record.ts';
import type { Observations } from '../../src/promotion/promotion-step.ts';

/** Read what the current stage's next step depends on (only what its state needs). */
export async function observe(core: CoreDeps, rec: PromotionRecord, cfg: PromotionConfig, now: number): Promise<Observations> {
  const s = rec.stages[rec.stage]!;
  const fleet = core.fleet();
  const [control, approval, rollout, rollback, alerts] = await Promise.all([
    core.promotions!.getControl(rec.id),
    s.state === 'awaiting-approval' && s.approvalId ? core.state.getApproval(s.approvalId)
      : s.state === 'rolling-back' && s.rollbackApprovalId && !s.rollbackId ? core.state.getApproval(s.rollbackApprovalId) : undefined,
    s.rolloutId ? core.rollouts.get(s.rolloutId) : undefined,
    s.rollbackId ? core.rollouts.get(s.rollbackId) : undefined,
    s.state === 'soaking' ? soakAlerts(core, rec, cfg) : [],
  ]);
  return {
    now,
    control,
    window: windowState(fleet.environments[s.env]?.change_windows, now),
    approval: approval ? { status: approval.status } : undefined,
    rollout: rollout ? { status: rollout.status, reason: rollout.reason } : undefined,
    rollback: rollback ? { status: rollback.status, reason: rollback.reason } : undefined,
    alerts,
  };
}

/**
 * Alerts that fail a soak: firing (or acknowledged: acknowledging does not make it healthy) on one of
 * the stage's nodes, or on its whole chain in that environment, of a rule its `fail_on` lists (any
 * rule but `version` when unset). Pending alerts are still debouncing and do not count yet.
 */
async function soakAlerts(core: CoreDeps, rec: PromotionRecord, cfg: PromotionConfig): Promise<Observations['alerts']> {
  if (!core.alerts) return [];
  const s = rec.stages[rec.stage]!;
  const failOn = cfg.stages[rec.stage]?.fail_on;
  const fleet = core.fleet();
  const nodes = new Set(fleet.nodes.filter((n) => n.env === s.env && n.group === rec.group).map((n) => n.name));
  const g = fleet.groups[rec.group];
  return (await core.alerts.active())
    .filter((a) => a.state !== 'pending' && ACTIVE_STATES.includes(a.state))
    .filter((a) => (a.scope === 'node' ? a.node !== undefined && nodes.has(a.node) : a.env === s.env && a.chain === g?.chain && a.network === g?.network))
    // By default every kind but `version`: a promotion moves versions away from desired_version on purpose.
    .filter((a) => (failOn ? failOn.includes(a.rule) : a.rule !== 'version'))
    .map((a) => ({ id: a.id, rule: a.rule, node: a.node, summary: a.summary }));
}
