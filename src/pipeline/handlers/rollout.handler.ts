import { UserError } from '../../errors.ts';
import { noteMessage } from '../../render/basic.messages.ts';
import { rolloutMessage } from '../../render/rollout.message.ts';
import { TERMINAL, touchedNodes, type RolloutRecord } from '../../rollout/rollout.record.ts';
import { rolloutPlanHash } from '../../rollout/plan-hash.ts';
import { lockKey } from '../../policy/locks.ts';
import { str, type HandlerContext } from '../context.ts';
import { assertCanChange } from './lock.handler.ts';

/** `rollout status|pause|resume|abort|rollback|retry [id]` (the latest rollout when no id is given). */
export async function rolloutHandler(ctx: HandlerContext): Promise<void> {
  const action = str(ctx, 'action')!;
  const rec = await findRollout(ctx, str(ctx, 'id'));
  switch (action) {
    case 'status':
      await ctx.respond({ ...rolloutMessage(rec), ephemeral: true });
      return;
    case 'pause':
    case 'resume':
    case 'abort':
      return control(ctx, rec, action);
    case 'rollback':
      return rollback(ctx, rec);
    case 'retry':
      return retry(ctx, rec);
    default:
      throw new UserError('parse_error', `unknown rollout action \`${action}\``);
  }
}

async function findRollout(ctx: HandlerContext, id: string | undefined): Promise<RolloutRecord> {
  if (id) {
    const rec = await ctx.deps.rollouts.get(id);
    if (!rec) throw new UserError('not_found', `no rollout \`${id}\` — see \`/chainops jobs\``);
    return rec;
  }
  const [latest] = await ctx.deps.rollouts.list(1);
  if (!latest) throw new UserError('not_found', 'no rollout has run yet');
  return latest;
}

async function control(ctx: HandlerContext, rec: RolloutRecord, action: 'pause' | 'resume' | 'abort'): Promise<void> {
  const now = ctx.deps.clock.now();
  if (action === 'abort' && (rec.status === 'halted' || rec.status === 'failed')) {
    // Nothing runs: closing it is a state change the worker would never make.
    await ctx.deps.rollouts.save({ ...rec, status: 'aborted', reason: `closed by ${ctx.who} after it halted`, updatedAt: now, endedAt: now });
    await audit(ctx, `rollout.abort`, rec.id);
    await ctx.deps.outbox.publish({ op: 'upsert', key: rec.reportKey, conversation: rec.conversation, message: rolloutMessage({ ...rec, status: 'aborted', reason: `closed by ${ctx.who}` }) });
    await ctx.respond(noteMessage(`${rec.id} closed; nodes stay as they are. \`/chainops rollout rollback ${rec.id}\` restores the previous version.`, 'ok'));
    return;
  }
  if (TERMINAL.has(rec.status)) throw new UserError('conflict', `${rec.id} has already ended (${rec.status}) — nothing to ${action}`);
  if (action === 'resume' && rec.status !== 'paused') throw new UserError('conflict', `${rec.id} is ${rec.status}, not paused`);
  await ctx.deps.rollouts.requestControl(rec.id, action, ctx.who, now);
  if (action === 'abort' && !(await ctx.deps.state.getLock(lockKey(rec.env, rec.group)))?.holder.startsWith(`${rec.id}/`)) {
    // No execution holds its lock (its job is dead or still queued): close it here. The largest
    // fencing token keeps any later execution of it from writing over this (it stops at its next checkpoint).
    await ctx.deps.rollouts.saveFenced({ ...rec, status: 'aborted', reason: `aborted by ${ctx.who} (no worker was running it)`, updatedAt: now, endedAt: now }, Number.MAX_SAFE_INTEGER);
    await audit(ctx, 'rollout.abort', rec.id);
    await ctx.deps.outbox.publish({ op: 'upsert', key: rec.reportKey, conversation: rec.conversation, message: rolloutMessage({ ...rec, status: 'aborted', reason: `aborted by ${ctx.who}` }) });
    await ctx.respond(noteMessage(`${rec.id} aborted: no worker was running it; nodes stay as they are.`, 'ok'));
    return;
  }
  await audit(ctx, `rollout.${action}`, rec.id);
  const when = action === 'resume' ? 'now' : 'after the node in progress (a running playbook is never cut off half-way)';
  await ctx.respond(noteMessage(`${action === 'pause' ? 'Pausing' : action === 'resume' ? 'Resuming' : 'Aborting'} ${rec.id} ${when}.`, 'ok'));
}

async function rollback(ctx: HandlerContext, rec: RolloutRecord): Promise<void> {
  if (rec.kind !== 'upgrade') throw new UserError('conflict', `${rec.id} is itself a rollback; start a new upgrade instead`);
  if (!TERMINAL.has(rec.status)) throw new UserError('conflict', `${rec.id} is still ${rec.status} — abort it first (\`/chainops rollout abort ${rec.id}\`), then roll back`);
  if (rec.status === 'rolled-back') throw new UserError('conflict', `${rec.id} was already rolled back`);
  const nodes = touchedNodes(rec);
  if (nodes.length === 0) throw new UserError('conflict', `${rec.id} changed no node whose previous version is known — nothing to roll back`);
  await assertCanChange(ctx, rec.env, rec.group);
  // One rollback per rollout: a double click lands on the same job id.
  const id = `rb-${rec.id.slice(3)}`;
  // The worker recomputes this same hash (rolloutPlanHash) before it touches a node.
  const playbook = ctx.fleet.groups[rec.group]?.playbook;
  const planHash = rolloutPlanHash(ctx.fleet, {
    kind: 'rollback', env: rec.env, group: rec.group, rollbackOf: rec.id, nodes: nodes.map((n) => ({ name: n.name, to: n.from! })),
    waves: nodes.map((n) => [n.name]), playbookDigest: playbook && ctx.deps.playbookDigest ? await ctx.deps.playbookDigest(playbook) : undefined,
  });
  const data = {
    v: 1, rolloutId: id, mode: 'rollback', rollbackOf: rec.id, env: rec.env, group: rec.group, version: rec.version,
    targets: nodes.map((n) => n.name), waves: nodes.map((n) => [n.name]),
    planHash,
    requestedBy: ctx.who, approvedBy: [], dryRun: false,
    report: { key: `job:${id}`, conversation: rec.conversation },
  };
  const { created } = await ctx.deps.queue.enqueue('upgrade', id, data);
  if (created) await audit(ctx, 'rollout.rollback', `${id} of ${rec.id}: ${nodes.map((n) => `${n.name}→${n.from}`).join(', ')}`);
  await ctx.respond(noteMessage(created
    ? `Rolling back ${rec.id} as ${id}: ${nodes.map((n) => `${n.name} → ${n.from}`).join(', ')}, one node at a time with health gates.`
    : `${id} is already rolling back ${rec.id}.`, 'ok'));
}

async function retry(ctx: HandlerContext, rec: RolloutRecord): Promise<void> {
  if (rec.status !== 'halted' && rec.status !== 'failed') throw new UserError('conflict', `${rec.id} is ${rec.status}; only a halted rollout can be retried`);
  await assertCanChange(ctx, rec.env, rec.group);
  // Same halted state → same job id, so a double click queues one retry.
  const id = `rt-${rec.id.slice(3)}${rec.updatedAt.toString(36)}`.slice(0, 35);
  const data = {
    v: 1, rolloutId: rec.id, mode: 'retry', ...(rec.rollbackOf ? { rollbackOf: rec.rollbackOf } : {}),
    env: rec.env, group: rec.group, version: rec.version, targets: rec.nodes.map((n) => n.name), waves: rec.waves,
    planHash: rec.planHash, requestedBy: ctx.who, approvedBy: rec.approvedBy, dryRun: false,
    report: { key: rec.reportKey, conversation: rec.conversation },
  };
  const { created } = await ctx.deps.queue.enqueue('upgrade', id, data);
  if (created) await audit(ctx, 'rollout.retry', `${rec.id} (${id})`);
  const failed = rec.nodes.filter((n) => n.state === 'failed').map((n) => n.name);
  await ctx.respond(noteMessage(created ? `Retrying ${rec.id} from ${failed.join(', ') || 'its checkpoint'}.` : `A retry of ${rec.id} is already queued.`, 'ok'));
}

async function audit(ctx: HandlerContext, action: string, detail: string): Promise<void> {
  await ctx.deps.audit.append({ at: ctx.deps.clock.now(), actor: ctx.who, action, detail, outcome: 'ok', ref: detail.split(' ')[0]! });
}
