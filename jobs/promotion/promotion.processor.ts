import { errorMessage, UserError } from '../../src/errors.ts';
import type { CoreDeps } from '../../src/pipeline/deps.ts';
import { tickJobId } from '../../src/promotion/promotion-ids.ts';
import { advance, applyOutcome, type Effect, type Outcome } from '../../src/promotion/promotion-step.ts';
import { PROMOTION_TERMINAL, type PromotionRecord } from '../../src/promotion/promotion.record.ts';
import { promotionMessage } from '../../src/render/promotion.message.ts';
import { approvalMessage } from '../../src/render/approval.message.ts';
import type { Processor } from '../job-context.ts';
import { isLease, LeaseLost, takeLease } from '../lease.ts';
import { parseJobData } from '../parse-job-data.ts';
import { promotionJobSchema } from './promotion-job.schema.ts';
import { observe } from './promotion-observe.ts';
import { startStageRollback, startStageRollout } from './stage-actions.ts';

export interface PromotionDeps {
  /** The command pipeline's deps (a stage is an ordinary change); `promotions` must be set. */
  core: CoreDeps;
  /** This worker process (holder of promotion leases). */
  workerId: string;
  /** @defaultValue 30 000 */
  leaseMs: number;
}

/**
 * One tick of a promotion. Under the promotion's fenced lease: read the record, observe, decide
 * (pure), perform the decided effect (idempotent: fixed job and approval ids), checkpoint with the
 * fencing token, then queue the next tick under a deterministic id. A worker killed anywhere in here
 * leaves either the old checkpoint (the tick re-runs and finds what it started) or the new one (the
 * re-delivered tick sees it is stale and only makes sure the next tick is queued).
 */
export function promotionProcessor(deps: PromotionDeps): Processor {
  const { core } = deps;
  return async (job) => {
    const data = parseJobData(promotionJobSchema, job.data, job.id);
    const store = core.promotions;
    if (!store) throw new UserError('not_implemented', 'promotions need the Redis promotion store');
    const lease = await takeLease(core.state, {
      key: `promotion:${data.promotionId}`, holder: `${deps.workerId}:${job.id}`, purpose: `promotion ${data.promotionId}`,
      ttlMs: deps.leaseMs, waitMs: deps.leaseMs * 2,
    });
    // Another tick holds it for longer than a lease: it will queue the next tick itself.
    if (!isLease(lease)) return { skipped: 'busy' };
    try {
      const rec = await store.get(data.promotionId);
      if (!rec) return { skipped: 'gone' };
      if (PROMOTION_TERMINAL.has(rec.status)) return { status: rec.status };
      if (data.tick !== undefined && data.tick !== rec.tick) {
        // A stale tick (re-delivered after its checkpoint was written): make sure the chain goes on.
        await core.queue.enqueue('promotion', tickJobId(rec.id, rec.tick), { v: 1, promotionId: rec.id, tick: rec.tick });
        return { skipped: 'stale', tick: rec.tick };
      }
      const cfg = core.fleet().groups[rec.group]?.promotion;
      const now = core.clock.now();
      let next: PromotionRecord;
      let wakeInMs: number | undefined;
      if (!cfg) {
        next = structuredClone(rec);
        next.status = 'failed';
        next.endedAt = now;
        next.reason = `group ${rec.group} has no \`promotion:\` in the fleet file any more`;
        next.history.push({ at: now, text: next.reason });
      } else {
        const step = advance(rec, cfg, await observe(core, rec, cfg, now));
        next = step.rec;
        wakeInMs = step.wakeInMs;
        for (const effect of step.effects) {
          if (!(await lease.current())) throw new LeaseLost(lease.key);
          const outcome = await perform(core, next, effect);
          if (outcome) {
            next = applyOutcome(next, effect, outcome, core.clock.now());
            // An empty stage moved on: look at the next one right away.
            if (outcome.kind === 'empty' && !PROMOTION_TERMINAL.has(next.status)) wakeInMs = 0;
          }
        }
      }
      next.tick = rec.tick + 1;
      next.owner = deps.workerId;
      next.updatedAt = core.clock.now();
      if (!(await store.saveFenced(next, lease.token))) throw new LeaseLost(lease.key);
      await report(core, rec, next);
      if (!PROMOTION_TERMINAL.has(next.status)) {
        await core.queue.enqueue('promotion', tickJobId(next.id, next.tick), { v: 1, promotionId: next.id, tick: next.tick }, { delayMs: Math.max(0, wakeInMs ?? cfg?.poll ?? 30_000) });
      }
      return { status: next.status, stage: next.stages[next.stage]?.env, state: next.stages[next.stage]?.state, tick: next.tick };
    } finally {
      await lease.release();
    }
  };
}

async function perform(core: CoreDeps, rec: PromotionRecord, effect: Effect): Promise<Outcome | undefined> {
  switch (effect.kind) {
    case 'start-rollout':
      return startStageRollout(core, rec);
    case 'start-rollback':
      return startStageRollback(core, rec);
    case 'control-rollout':
      await core.rollouts.requestControl(effect.rolloutId, effect.action, `promotion:${rec.id}`, core.clock.now());
      return undefined;
    case 'withdraw-approval':
      await withdraw(core, effect.approvalId, rec);
      return undefined;
  }
}

/** An aborted promotion's pending approval card is closed, so nobody starts a stage of it later. */
async function withdraw(core: CoreDeps, id: string, rec: PromotionRecord): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const req = await core.state.getApproval(id);
    if (!req || req.status !== 'pending') return;
    if (await core.state.saveApproval({ ...req, status: 'rejected', rejectedBy: `promotion:${rec.id}`, withdrawn: true, rev: req.rev + 1 }, req.rev)) {
      await core.audit.append({ at: core.clock.now(), actor: 'system', action: 'approval.withdraw', detail: `${id} withdrawn: promotion ${rec.id} aborted`, outcome: 'ok', ref: id });
      const closed = { ...req, status: 'rejected' as const, rev: req.rev + 1 };
      await core.outbox.publish({ op: 'upsert', key: `approval:${id}`, conversation: rec.conversation, message: approvalMessage(closed, req.summary ?? [], `withdrawn: promotion ${rec.id} was aborted`) });
      return;
    }
  }
}

/** Edit the promotion's message and put each new step in the audit log. */
async function report(core: CoreDeps, before: PromotionRecord, after: PromotionRecord): Promise<void> {
  const fresh = after.history.filter((h) => !before.history.some((b) => b.at === h.at && b.text === h.text));
  for (const h of fresh) {
    await core.audit.append({ at: h.at, actor: 'system', action: `promotion.${after.status === before.status ? 'step' : after.status}`, detail: `${after.id} ${after.group} → ${after.version}: ${h.text}`.slice(0, 500), outcome: after.status === 'failed' ? 'failed' : 'ok', ref: after.id });
  }
  if (fresh.length || after.status !== before.status) {
    await core.outbox.publish({ op: 'upsert', key: after.reportKey, conversation: after.conversation, message: promotionMessage(after, core.clock.now()) }).catch((err: unknown) => core.logger.warn({ err: errorMessage(err), id: after.id }, 'promotion message not published'));
  }
}
