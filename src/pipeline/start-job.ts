import { createHash } from 'node:crypto';
import { noteMessage } from '../render/basic.messages.ts';
import { jobMessage } from '../render/job.message.ts';
import type { HandlerContext } from './context.ts';
import type { ChangePlan } from './change-plan.ts';
import { conversationOf, postOwned, updateOwned } from './owned-message.ts';
import { FIRST_POST_LEASE_MS, firstPostLock } from './outbox-delivery.ts';

/**
 * Enqueue the job of a planned change under an idempotent id and give it its own message.
 * `idSeed` (approval id or platform delivery id) makes retries and double clicks land on one job.
 */
export async function startChangeJob(
  ctx: HandlerContext,
  plan: ChangePlan,
  opts: { idSeed?: string; requestedBy: string; approvedBy: string[]; viaApproval: boolean; sayIfExisting?: boolean },
): Promise<string> {
  const suffix = opts.idSeed ? createHash('sha256').update(opts.idSeed).digest('hex').slice(0, 10) : ctx.deps.newId();
  const jobId = `${plan.prefix}-${suffix}`;
  const key = `job:${jobId}`;
  const data = {
    v: 1,
    ...plan.data,
    ...(plan.kind === 'upgrade' || plan.kind === 'rollback' ? { rolloutId: jobId, ...(opts.viaApproval && opts.idSeed ? { approvalId: opts.idSeed } : {}) } : {}),
    requestedBy: opts.requestedBy,
    approvedBy: opts.approvedBy,
    report: { key, conversation: conversationOf(ctx) },
  };
  // Hold the first-post lock of the job's message from before the job exists until its message is
  // posted: a fast worker's first report then waits for that message and edits it, never posting a second.
  const holder = `bot-${ctx.deps.newId()}`;
  const lock = opts.viaApproval ? { ok: false } : await ctx.deps.state.acquireLock(firstPostLock(key), holder, 'first post', FIRST_POST_LEASE_MS);
  const message = jobMessage({ jobId, title: `${plan.kind} ${plan.env}/${plan.group}`, state: 'queued', summary: plan.summary, cancellable: true });
  try {
    // A click on an approval button answers in place of the approval; the job gets its own message,
    // published before the job exists so a fast result can never be overwritten by "queued". The
    // approval's compare-and-set lets exactly one click get here.
    if (opts.viaApproval) await updateOwned(ctx, key, message);
    const { created } = await ctx.deps.queue.enqueue(plan.queue, jobId, data);
    if (!created) {
      if (opts.sayIfExisting) await ctx.respond(noteMessage(`That ${plan.kind} is already queued or running as ${jobId}; nothing more was started.`));
      return jobId;
    }
    await ctx.deps.audit.append({ at: ctx.deps.clock.now(), actor: ctx.who, action: 'job.enqueue', detail: `${jobId} ${plan.kind} ${plan.env}/${plan.group}`, outcome: 'ok', ref: jobId });
    if (!opts.viaApproval) await postOwned(ctx, key, message);
    return jobId;
  } finally {
    if (lock.ok) await ctx.deps.state.releaseLock(firstPostLock(key), holder);
  }
}
