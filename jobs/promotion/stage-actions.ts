import { UserError } from '../../src/errors.ts';
import { planChange } from '../../src/pipeline/change-plan.ts';
import type { CoreDeps } from '../../src/pipeline/deps.ts';
import { requestChange } from '../../src/pipeline/handlers/change.handler.ts';
import { planRollback } from '../../src/pipeline/rollback-plan.ts';
import { changeJobId, stageApprovalPart, stageSeed } from '../../src/promotion/promotion-ids.ts';
import type { PromotionRecord } from '../../src/promotion/promotion.record.ts';
import type { Outcome } from '../../src/promotion/promotion-step.ts';
import { stageContext, stageConversation } from './stage-context.ts';

/**
 * Start the current stage's rollout as an ordinary `upgrade <group> <version> --env <env>`, or find
 * the one an earlier try of this tick started: its job id and its approval id are fixed by the
 * promotion and stage, so a retried or re-delivered tick never starts a second one.
 */
export async function startStageRollout(core: CoreDeps, rec: PromotionRecord): Promise<Outcome> {
  const s = rec.stages[rec.stage]!;
  const seed = stageSeed(rec.id, rec.stage);
  const jobId = changeJobId('up', seed);
  if ((await core.rollouts.get(jobId)) || (await core.queue.get('upgrade', jobId))) return { kind: 'started', rolloutId: jobId };
  const part = stageApprovalPart(seed, 'rollout');
  if (await core.state.getApproval(`ap-${part}`)) return { kind: 'approval', approvalId: `ap-${part}` };
  const ctx = stageContext(core, rec, await stageConversation(core.state, rec), `upgrade ${rec.group} ${rec.version} --env ${s.env}`, part);
  try {
    const plan = await planChange(ctx.command, ctx.fleet, ctx.deps);
    if (plan.empty) return { kind: 'empty', reason: `every node of ${s.env}/${rec.group} already runs ${rec.version}` };
    await requestChange(ctx, { ...plan, idSeed: seed });
  } catch (err) {
    // Frozen, locked by someone else, a node without a snapshot yet: wait and try again next tick.
    if (err instanceof UserError) return { kind: 'blocked', reason: err.message };
    throw err;
  }
  if (await core.state.getApproval(`ap-${part}`)) return { kind: 'approval', approvalId: `ap-${part}` };
  return { kind: 'started', rolloutId: jobId };
}

/**
 * Roll the failed stage's rollout back with the existing rollback change (`rollout rollback <id>`:
 * its plan, hash and the environment's approval policy), or find the rollback already started.
 */
export async function startStageRollback(core: CoreDeps, rec: PromotionRecord): Promise<Outcome> {
  const s = rec.stages[rec.stage]!;
  const rolloutId = s.rolloutId!;
  const earlier = (await core.rollouts.list(200)).find((r) => r.kind === 'rollback' && r.rollbackOf === rolloutId);
  if (earlier) return { kind: 'started', rolloutId: earlier.id };
  const part = stageApprovalPart(stageSeed(rec.id, rec.stage), 'rollback');
  if (await core.state.getApproval(`ap-${part}`)) return { kind: 'approval', approvalId: `ap-${part}` };
  const failed = await core.rollouts.get(rolloutId);
  if (!failed) return { kind: 'empty', reason: `rollout ${rolloutId} has no record (it never started)` };
  const ctx = stageContext(core, rec, await stageConversation(core.state, rec), `rollout rollback ${rolloutId}`, part);
  let plan;
  try {
    plan = await planRollback(failed, ctx.fleet, ctx.deps);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    // Still running (an abort or halt not yet recorded): look again next tick. Otherwise nothing to undo.
    return /still/.test(err.message) ? { kind: 'blocked', reason: err.message } : { kind: 'empty', reason: err.message };
  }
  if (plan.empty) return { kind: 'empty', reason: plan.emptyReason ?? 'no node to restore' };
  try {
    await requestChange(ctx, plan);
  } catch (err) {
    if (err instanceof UserError) return { kind: 'blocked', reason: err.message };
    throw err;
  }
  if (await core.state.getApproval(`ap-${part}`)) return { kind: 'approval', approvalId: `ap-${part}` };
  return { kind: 'started', rolloutId: changeJobId('rb', plan.idSeed!) };
}
